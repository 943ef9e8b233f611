/**
 * The one small interface both backends (embedded PGlite, real PostgreSQL) implement. Only the
 * execute stage and admin/bootstrap code use it; everything above it is pure.
 */
import type { PGliteInterface } from '@electric-sql/pglite'
import type { CompiledSql } from '../sql/fragment.js'

/** One row of the main statement; every column arrives as text (or null). */
export type ResultRow = Readonly<Record<string, string | null>>

/**
 * What a batch needs of an AbortSignal (an AbortSignal is one). The server passes a lighter object
 * per request: creating an AbortController and its event target costs more than the rest of the
 * request's bookkeeping.
 */
export type AbortLike = {
  readonly aborted: boolean
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void
  removeEventListener(type: 'abort', listener: () => void): void
}

export type Batch = Readonly<{
  /**
   * `select set_config(...)` of the request context: role, claims, method, path, headers... When it
   * also makes the transaction read-only (`setsReadOnly`), a read needs no statement of its own for that.
   */
  env: CompiledSql & { readonly setsReadOnly?: boolean }
  /** db-pre-request: `select "schema"."fn"()`, run after env and before main in the same transaction */
  preRequest?: CompiledSql
  /** the one statement that answers the request, its JSON body built by Postgres */
  main: CompiledSql
  /** GET/HEAD run READ ONLY */
  readOnly: boolean
  /**
   * Called with the main statement's rows before the transaction ends. Throwing from it rolls the
   * transaction back (singular-object and max-affected checks); returning 'rollback' rolls back and
   * still answers (Prefer: tx=rollback). Without a check, env + main run as one implicit
   * transaction ending at a single Sync (one round trip).
   */
  check?: (rows: readonly ResultRow[]) => 'commit' | 'rollback'
  /**
   * Aborted when the request's client went away: a batch still waiting for a connection is dropped,
   * and PostgreSQL is asked to cancel a running statement when that cancels nobody else's.
   */
  signal?: AbortLike
}>

export type QueryResult = Readonly<{
  /** column names in order */
  fields: readonly string[]
  rows: readonly Readonly<Record<string, unknown>>[]
  /** the command tag's first word (`CREATE`, `INSERT`, `SELECT`...), or null when there is none */
  command: string | null
  rowCount: number | null
}>

export type PoolStats = Readonly<{
  /** the most connections the pool opens */
  max: number
  /** connections open */
  total: number
  /** open and not checked out */
  idle: number
  /** requests waiting for a connection */
  waiting: number
}>

export interface Database {
  readonly kind: 'pglite' | 'postgres'
  /** the database name served at /{name}/rest/v1 */
  readonly name: string
  /**
   * Runs a request: env and main in one transaction, returns the main statement's rows. Rejects with
   * the server's error (SQLSTATE `code`, `message`, `detail`, `hint`, ...), with a connection error
   * whose `code` is a socket code such as `ECONNREFUSED`, or with whatever `check` threw.
   */
  run(batch: Batch): Promise<ResultRow[]>
  /**
   * One parameterised statement as the connecting role (admin, bootstrap, schema cache). Rows are
   * parsed the way node-postgres parses them (int4 → number, int8/numeric → string, json → value...)
   * on both backends.
   */
  query<T = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<T[]>
  /** Several statements separated by `;` (simple protocol), one result per statement. */
  exec(script: string): Promise<QueryResult[]>
  /**
   * LISTEN on a channel (any name: it is quoted); returns a function that stops listening. On
   * PostgreSQL a dropped listening connection is re-established, but notifications sent meanwhile
   * are lost.
   */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>
  /**
   * Embedded only: lends the PGlite instance to `use` alone, queued with every other operation and
   * holding them back until it settles (for libraries that talk to PGlite themselves, such as the
   * auth service's Kysely dialect). A transaction left open is rolled back afterwards.
   */
  withPglite?<T>(use: (pglite: PGliteInterface) => Promise<T>): Promise<T>
  /** PostgreSQL only: the request pool's connections right now (for /metrics) */
  poolStats?(): PoolStats
  close(): Promise<void>
}
