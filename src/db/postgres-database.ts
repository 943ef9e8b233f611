/**
 * The Database on a real PostgreSQL server. Its hot path (run) sends the request's env and main
 * statements as one batch with a single Sync (BatchQuery), on prepared statements cached per
 * connection, pipelined with other requests' batches on a fixed set of connections
 * (PipelinedPool); what needs a connection to itself gets one.
 */
import pg from 'pg'
import { BatchQuery, type BatchCallback, type WireStatement } from './batch-query.js'
import { batchStatements, type BatchStatement } from './batch-statements.js'
import type { AbortLike, Batch, Database, QueryResult, ResultRow } from './database.js'
import { startPgListener, type PgListener } from './pg-listener.js'
import { DatabaseError, prepareValue } from './pg-wire.js'
import { cancelBackend } from './cancel-backend.js'
import { PipelinedPool } from './pipelined-pool.js'
import { statementName } from './statement-name.js'

export type PostgresDatabaseOptions = Readonly<{
  url: string
  /** where LISTEN connects: the same database without a pooler in between (default url) */
  listenUrl?: string
  /** connections, all opened at start (default 10) */
  poolSize?: number
  applicationName?: string
  /** prepared statements kept per connection before the least recently used is closed (default 1000) */
  preparedStatementsPerConnection?: number
  /** how long a request may wait for a connection before PoolTimeoutError (default: no bound) */
  acquireTimeoutMs?: number
  /**
   * false: every statement is parsed unnamed, for a pooler in transaction mode (PgBouncer before
   * 1.21) that hands each transaction to any server connection, where a named statement would be
   * missing or already exist (default true). Pipelining stays: PgBouncer has counted the Syncs in
   * flight, and kept the server linked until each has its ReadyForQuery, since 1.7.
   */
  preparedStatements?: boolean
}>

function wireStatement(statement: BatchStatement, prepared: boolean): WireStatement {
  const name = prepared ? statementName(statement.text) : ''
  return { name, text: statement.text, values: statement.values.map(prepareValue), keepRows: statement.keepRows }
}

/** The database the URL names: its path, percent-decoded; like libpq, the user name when absent. */
export function databaseNameFromUrl(url: string): string {
  const parsed = new URL(url)
  const path = decodeURIComponent(parsed.pathname.replace(/^\//, ''))
  if (path !== '') return path
  return decodeURIComponent(parsed.username) || 'postgres'
}

/** The connection itself failed (refused, dropped): no answer came back, whatever the server did. */
export class ConnectionError extends Error {
  readonly code: string
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause })
    this.name = 'ConnectionError'
    // keep the socket's code (ECONNREFUSED...); pg reports a dropped connection without one
    const code = (cause as { code?: unknown } | null)?.code
    this.code = typeof code === 'string' ? code : 'ECONNRESET'
  }
}

/** Errors from the server pass through; anything else from the driver means the connection failed. */
function fromDriver(error: unknown): Error {
  return error instanceof DatabaseError || error instanceof ConnectionError ? error : new ConnectionError(error)
}

/** Whether the connection can go back to the pool after `error`. */
function connectionBroken(error: unknown): boolean {
  if (error instanceof ConnectionError) return true
  return error instanceof DatabaseError && (error.severity === 'FATAL' || error.severity === 'PANIC')
}

function toQueryResult(result: pg.QueryResult): QueryResult {
  return {
    fields: result.fields.map((f) => f.name),
    rows: result.rows,
    command: result.command ?? null,
    rowCount: result.rowCount ?? null,
  }
}

/**
 * Batches in flight per connection before requests queue. Pipelining saved 10-35 % of the server's
 * CPU per request and as much of PostgreSQL's in the bench (docs/performance.md); a few batches per
 * connection keep most of that while bounding how many requests can wait behind a slow one.
 */
const PIPELINE_DEPTH = 4

/** withClient's option: the connection may be inside a transaction when an error arrives */
const ROLLBACK_ON_ERROR = { rollbackOnError: true } as const

export async function createPostgresDatabase(options: PostgresDatabaseOptions): Promise<Database> {
  const poolSize = options.poolSize ?? 10
  const capacity = options.preparedStatementsPerConnection
  const prepared = options.preparedStatements ?? true
  const pool = new PipelinedPool({
    newClient: () => new pg.Client({ connectionString: options.url, application_name: options.applicationName, keepAlive: true, pipeline: true }),
    size: poolSize,
    depth: PIPELINE_DEPTH,
    connectError: (cause) => new ConnectionError(cause),
    acquireTimeoutMs: options.acquireTimeoutMs,
    cancel: cancelBackend,
  })

  const listeners = new Set<PgListener>()

  /**
   * Runs `use` on a connection of its own, destroyed afterwards if it broke. `use` must send
   * everything through `talk` so driver failures are told apart from errors thrown by callers. A
   * transaction left open must not reach the next user of the connection: after success the status
   * is known and checked; after an error it is not (the error arrives before ReadyForQuery), so
   * callers that may be inside a transaction ask for a ROLLBACK (a no-op warning when there is none).
   */
  function withClient<T>(use: (client: pg.Client) => Promise<T>, mode: Readonly<{ rollbackOnError: boolean }>, signal?: AbortLike): Promise<T> {
    return pool.exclusive(async (client, discard) => {
      // the connection is this request's alone: cancelling its statement cancels no one else's
      const cancel = () => void cancelBackend(client)
      signal?.addEventListener('abort', cancel, { once: true })
      try {
        const result = await use(client)
        if (client.getTransactionStatus() !== 'I') await talk(client.query('ROLLBACK'))
        return result
      } catch (error) {
        let broken = connectionBroken(error)
        if (!broken && (mode.rollbackOnError || client.getTransactionStatus() !== 'I')) {
          await talk(client.query('ROLLBACK')).catch(() => {
            broken = true
          })
        }
        if (broken) discard()
        throw error
      } finally {
        signal?.removeEventListener('abort', cancel)
      }
    }, signal)
  }

  function talk<T>(request: Promise<T>): Promise<T> {
    return request.catch((error: unknown) => {
      throw fromDriver(error)
    })
  }

  function sendBatch(client: pg.Client, statements: readonly WireStatement[]): Promise<ResultRow[]> {
    return talk(
      new Promise((resolve, reject) => {
        const callback: BatchCallback = (error, rows) => (error ? reject(error) : resolve(rows ?? []))
        // @types/pg types submit()'s connection loosely; BatchQuery states what it really uses
        client.query(new BatchQuery(statements, callback, capacity) as unknown as pg.Submittable)
      }),
    )
  }

  async function run(batch: Batch): Promise<ResultRow[]> {
    const statements = batchStatements(batch).map((s) => wireStatement(s, prepared))
    const { check } = batch
    const signal = batch.signal
    // one implicit transaction, over at the Sync whatever happened: pipelined with other requests
    if (!check) {
      return talk(
        // an abandoned request's statement is cancelled by the pool, once no one else's can be hit
        pool.pipelined((client) => sendBatch(client, statements), signal),
      )
    }
    // An explicit transaction on a connection of its own: BEGIN, env and main in one round trip, then
    // the check decides COMMIT or ROLLBACK. A failure, or a throwing check, is rolled back by withClient.
    return withClient(async (client) => {
      const rows = await sendBatch(client, statements)
      const decision = check(rows)
      await talk(client.query(decision === 'commit' ? 'COMMIT' : 'ROLLBACK'))
      return rows
    }, ROLLBACK_ON_ERROR, signal)
  }

  async function query<T>(text: string, values: readonly unknown[] = []): Promise<T[]> {
    return withClient(async (client) => (await talk(client.query(text, [...values]))).rows as T[], ROLLBACK_ON_ERROR)
  }

  async function exec(script: string): Promise<QueryResult[]> {
    return withClient(async (client) => {
      // pg answers a multi-statement script with an array, a single statement with one result
      const results = (await talk(client.query(script))) as unknown as pg.QueryResult | pg.QueryResult[]
      return (Array.isArray(results) ? results : [results]).map(toQueryResult)
    }, ROLLBACK_ON_ERROR)
  }

  async function listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    const { applicationName } = options
    const listener = await startPgListener({ url: options.listenUrl ?? options.url, applicationName, channel, onNotify })
    listeners.add(listener)
    return async () => {
      listeners.delete(listener)
      await listener.stop()
    }
  }

  const database: Database = {
    kind: 'postgres',
    poolStats: () => pool.counts(),
    name: databaseNameFromUrl(options.url),
    run,
    query,
    exec,
    listen,
    close: async () => {
      const stopping = [...listeners].map((l) => l.stop())
      listeners.clear()
      await Promise.all(stopping)
      await pool.close()
    },
  }

  // Open every connection now: the first requests should not pay for connecting, and a database
  // that cannot be reached should fail start-up rather than the first request.
  await talk(pool.open())
  return database
}
