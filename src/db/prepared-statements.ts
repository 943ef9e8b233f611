/**
 * Which named statements exist on one PostgreSQL connection, so each is parsed there only once.
 *
 * A Parse is only known to have worked when its ParseComplete arrives: a batch that fails may have
 * failed in that Parse, or before the server reached it (everything after an error is skipped until
 * Sync). So names are "pending" from the moment their Parse is written until their ParseComplete,
 * and pending names are forgotten when the batch ends. ParseCompletes arrive in the order the Parses
 * were written, which is what ties each one to its name.
 *
 * The set is a small LRU; evicted statements are closed (Close 'S') at the start of the next batch so
 * the server frees them too.
 */
export class PreparedStatements {
  /** confirmed statements, least recently used first (Map keeps insertion order) */
  private readonly parsed = new Map<string, true>()
  private pending: string[] = []
  private evicted: string[] = []

  constructor(private readonly capacity = 1000) {
    if (capacity < 8) throw new RangeError('prepared statement capacity must be at least 8')
  }

  /** Whether `name` must be parsed in the batch being written; if so it becomes pending. */
  needsParse(name: string): boolean {
    if (this.parsed.delete(name)) {
      this.parsed.set(name, true)
      return false
    }
    // the same statement twice in one batch: the first Parse serves both
    if (this.pending.includes(name)) return false
    this.pending.push(name)
    return true
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
    const name = this.pending.shift()
    // a ParseComplete for somebody else's (unnamed) statement, e.g. a plain pool.query
    if (name === undefined) return
    this.parsed.set(name, true)
    if (this.parsed.size > this.capacity) {
      const oldest = this.parsed.keys().next().value
      if (oldest !== undefined) {
        this.parsed.delete(oldest)
        this.evicted.push(oldest)
      }
    }
  }

  /** The batch ended (ReadyForQuery or error): an unconfirmed Parse created nothing. */
  batchEnded(): void {
    if (this.pending.length > 0) this.pending = []
  }

  has(name: string): boolean {
    return this.parsed.has(name)
  }

  get size(): number {
    return this.parsed.size
  }
}
