/**
 * Which named statements exist on one PostgreSQL connection, so each is parsed there only once, even
 * with several batches in flight on the connection (pipelined).
 *
 * A Parse is only known to have worked when its ParseComplete arrives: a batch that fails may have
 * failed in that Parse, or before the server reached it (everything after an error is skipped until
 * Sync). So a Parse is "pending" from the moment it is written until its ParseComplete, and the
 * pending Parses of a batch are forgotten when that batch ends. ParseCompletes arrive in the order the
 * Parses were written, across batches, which is what ties each one to its name.
 *
 * A statement still pending in an earlier batch cannot be counted on by a later one (that batch may
 * fail before its Parse), nor parsed again under its name (it may succeed, and a second Parse would
 * fail): the later batch uses the unnamed statement for it, once.
 *
 * The set is a small LRU; evicted statements are closed (Close 'S') at the start of the next batch so
 * the server frees them too.
 */

/** How a statement goes into the batch being written. */
export type ParseDecision = 'prepared' | 'parse' | 'unnamed'

type PendingParse = Readonly<{ name: string; batch: number }>

export class PreparedStatements {
  /** confirmed statements, least recently used first (Map keeps insertion order) */
  private readonly parsed = new Map<string, true>()
  /** Parses written and not yet confirmed, in wire order; '' is an unnamed Parse */
  private pending: PendingParse[] = []
  private evicted: string[] = []
  private writing = 0

  constructor(private readonly capacity = 1000) {
    if (capacity < 8) throw new RangeError('prepared statement capacity must be at least 8')
  }

  /** Starts writing a batch; returns its id, for batchEnded. */
  beginBatch(): number {
    return ++this.writing
  }

  /**
   * Whether `name` is prepared already, must be parsed in the batch being written (it becomes
   * pending), or must go as an unnamed statement (its Parse is pending in an earlier batch).
   */
  decide(name: string): ParseDecision {
    // '' asks for the unnamed statement (prepared statements turned off)
    if (name === '') return this.unnamed()
    if (this.parsed.delete(name)) {
      this.parsed.set(name, true)
      return 'prepared'
    }
    const pending = this.pending.find((p) => p.name === name)
    // the same statement twice in one batch: the first Parse serves both
    if (pending) return pending.batch === this.writing ? 'prepared' : this.unnamed()
    this.pending.push({ name, batch: this.writing })
    return 'parse'
  }

  private unnamed(): 'unnamed' {
    this.pending.push({ name: '', batch: this.writing })
    return 'unnamed'
  }

  /** Statements to Close before anything else in the next batch. */
  takeEvicted(): string[] {
    if (this.evicted.length === 0) return this.evicted
    const names = this.evicted
    this.evicted = []
    return names
  }

  /** A ParseComplete arrived: the oldest pending Parse created its statement. */
  parseCompleted(): void {
    const parse = this.pending.shift()
    // a ParseComplete for somebody else's (unnamed) statement, e.g. a plain client.query, or ours
    if (parse === undefined || parse.name === '') return
    this.parsed.set(parse.name, true)
    if (this.parsed.size > this.capacity) {
      const oldest = this.parsed.keys().next().value
      if (oldest !== undefined) {
        this.parsed.delete(oldest)
        this.evicted.push(oldest)
      }
    }
  }

  /** The batch ended (ReadyForQuery or error): its unconfirmed Parses created nothing. */
  batchEnded(batch: number): void {
    if (this.pending.length > 0) this.pending = this.pending.filter((p) => p.batch !== batch)
  }

  has(name: string): boolean {
    return this.parsed.has(name)
  }

  get size(): number {
    return this.parsed.size
  }
}
