/**
 * A node-postgres "Submittable" that writes several statements and ONE Sync, so they run in one
 * round trip and, without BEGIN, in one implicit transaction (architecture.md §3, performance.md §6).
 *
 * For each statement: Parse (only the first time on this connection), Bind, Describe (only for the
 * statement whose rows we keep), Execute; then Sync. The backend answers in the same order, and each
 * Execute ends with CommandComplete (or EmptyQueryResponse), which is how we know which statement a
 * DataRow belongs to. pg's Client calls the handle* methods below, exactly as it does for its own
 * Query (node_modules/pg/lib/query.js); it does not tell a query about ParseComplete, so those are
 * counted by a listener on the connection (see PreparedStatements).
 */
import type { ResultRow } from './database.js'
import type {
  CommandCompleteMessage,
  DataRowMessage,
  RowDescriptionMessage,
  WireConnection,
  WireValue,
} from './pg-wire.js'
import { allowInPipelineMode } from './pg-wire.js'
import { PreparedStatements } from './prepared-statements.js'

export type WireStatement = Readonly<{
  /** prepared statement name, derived from the text (statementName) */
  name: string
  text: string
  /** already converted with prepareValue, so writing the Bind cannot throw half-way */
  values: readonly WireValue[]
  /** keep this statement's rows (at most one statement per batch) */
  keepRows: boolean
}>

export type BatchCallback = (error: Error | null, rows?: ResultRow[], command?: string | null) => void

const statementsByConnection = new WeakMap<WireConnection, PreparedStatements>()

/** The prepared-statement bookkeeping of one connection, created (with its listener) on first use. */
export function preparedStatementsOf(connection: WireConnection, capacity?: number): PreparedStatements {
  let statements = statementsByConnection.get(connection)
  if (statements === undefined) {
    const created = new PreparedStatements(capacity)
    connection.on('parseComplete', () => created.parseCompleted())
    statementsByConnection.set(connection, created)
    statements = created
  }
  return statements
}

export class BatchQuery {
  private statementIndex = 0
  private readonly keepIndex: number
  private columns: readonly string[] = []
  private readonly kept: ResultRow[] = []
  private command: string | null = null
  private prepared: PreparedStatements | undefined
  private batch = 0
  private done = false

  constructor(
    private readonly statements: readonly WireStatement[],
    /** pg's Client may wrap this (query_timeout), so it must stay a public, assignable property */
    public callback: BatchCallback,
    private readonly capacity?: number,
  ) {
    this.keepIndex = statements.findIndex((s) => s.keepRows)
  }

  submit(connection: WireConnection): void {
    const prepared = preparedStatementsOf(connection, this.capacity)
    this.prepared = prepared
    this.batch = prepared.beginBatch()
    // cork: the whole batch leaves in as few TCP segments as possible (pg's Query does the same)
    connection.stream.cork()
    try {
      for (const name of prepared.takeEvicted()) connection.close({ type: 'S', name })
      for (const statement of this.statements) {
        const decision = prepared.decide(statement.name)
        const name = decision === 'unnamed' ? '' : statement.name
        if (decision !== 'prepared') connection.parse({ name, text: statement.text, types: [] })
        connection.bind({ statement: name, values: statement.values })
        if (statement.keepRows) connection.describe({ type: 'P', name: '' })
        connection.execute({ rows: 0 })
      }
      connection.sync()
    } finally {
      connection.stream.uncork()
    }
  }

  handleRowDescription(msg: RowDescriptionMessage): void {
    if (this.statementIndex === this.keepIndex) this.columns = msg.fields.map((f) => f.name)
  }

  handleDataRow(msg: DataRowMessage): void {
    if (this.statementIndex !== this.keepIndex) return
    const row: Record<string, string | null> = {}
    const { columns } = this
    for (let i = 0; i < columns.length; i++) row[columns[i] as string] = msg.fields[i] ?? null
    this.kept.push(row)
  }

  handleCommandComplete(msg: CommandCompleteMessage): void {
    if (this.statementIndex === this.keepIndex) this.command = msg.text
    this.statementIndex++
  }

  handleEmptyQuery(): void {
    this.statementIndex++
  }

  handleError(error: Error): void {
    this.prepared?.batchEnded(this.batch)
    this.finish(error)
  }

  handleReadyForQuery(): void {
    this.prepared?.batchEnded(this.batch)
    this.finish(null)
  }

  // We always Execute with no row limit, so portals never suspend; present because pg calls it.
  handlePortalSuspended(): void {}

  // COPY ... FROM STDIN has no data source here: refuse it so the server ends the COPY with an error.
  handleCopyInResponse(connection: WireConnection): void {
    connection.sendCopyFail('COPY FROM STDIN is not supported in a request batch')
  }

  handleCopyData(): void {}

  private finish(error: Error | null): void {
    if (this.done) return
    this.done = true
    if (error) this.callback(error)
    else this.callback(null, this.kept, this.command)
  }
}

// Each batch ends with its Sync, so several may be in flight on one connection (pipelined-pool.ts).
allowInPipelineMode(BatchQuery)
