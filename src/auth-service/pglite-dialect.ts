/**
 * A Kysely dialect over the embedded database's own PGlite instance, so Better Auth's Kysely adapter
 * talks to the same single-session PGlite the server owns. Each Kysely connection is a lease from
 * Database.withPglite: acquiring it waits for every queued operation, and nothing else runs until it
 * is released, so a Kysely transaction is never interleaved with a REST request.
 */
import type { PGliteInterface } from '@electric-sql/pglite'
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely'
import type { Database } from '../db/database.js'

const MUTATION = /^\s*(insert|update|delete|merge)\b/i

class PgliteConnection implements DatabaseConnection {
  constructor(
    readonly pglite: PGliteInterface,
    readonly release: () => void,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.pglite.query<R>(query.sql, [...query.parameters])
    const affected = result.affectedRows
    return MUTATION.test(query.sql) && affected !== undefined
      ? { rows: result.rows, numAffectedRows: BigInt(affected) }
      : { rows: result.rows }
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported on the embedded database')
  }
}

export type PgliteLeaseOptions = Readonly<{
  /** a search_path set for the lease (and reset after it): Better Auth's SQL names tables unqualified */
  searchPath?: string
}>

class PgliteLeaseDriver implements Driver {
  constructor(
    private readonly database: Database,
    private readonly options: PgliteLeaseOptions,
  ) {}

  async init(): Promise<void> {
    if (!this.database.withPglite) throw new Error('the PGlite dialect needs the embedded database')
  }

  acquireConnection(): Promise<DatabaseConnection> {
    const withPglite = this.database.withPglite!
    const searchPath = this.options.searchPath
    return new Promise((resolve, reject) => {
      withPglite(async (pglite) => {
        if (searchPath) await pglite.query(`SELECT set_config('search_path', $1, false)`, [searchPath])
        try {
          // the lease lasts until Kysely releases the connection
          await new Promise<void>((released) => resolve(new PgliteConnection(pglite, released)))
        } finally {
          if (searchPath) await pglite.exec('RESET search_path')
        }
      }).catch(reject)
    })
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('BEGIN'))
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('COMMIT'))
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('ROLLBACK'))
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    ;(connection as PgliteConnection).release()
  }

  async destroy(): Promise<void> {
    // the Database owns PGlite and closes it
  }
}

export class PgliteLeaseDialect implements Dialect {
  constructor(
    private readonly database: Database,
    private readonly options: PgliteLeaseOptions = {},
  ) {}
  createAdapter() {
    return new PostgresAdapter()
  }
  createDriver(): Driver {
    return new PgliteLeaseDriver(this.database, this.options)
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db)
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler()
  }
}
