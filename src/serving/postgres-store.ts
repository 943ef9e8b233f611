/**
 * The databases of the PostgreSQL cluster DATABASE_URL points to. DATABASE_URL's own database is the
 * default one; every other database is reached with the same URL and another path. Listing,
 * creating and dropping run on a one-connection control pool to the maintenance database
 * (`postgres`, else `template1`), not the default one: PostgreSQL copies a database (a branch) only
 * when no session is connected to it.
 *
 * Behind a pooler in transaction mode, `directUrl` reaches the cluster without it: the control pool
 * and every LISTEN use it (a pooler hands a session's LISTEN to whichever client comes next); a
 * copy closes the pooler's idle connections to the original (see closePoolerConnections).
 */
import type { Database } from '../db/database.js'
import { createPostgresDatabase, databaseNameFromUrl } from '../db/postgres-database.js'
import { quoteIdent } from '../sql/fragment.js'
import { StoreError, type DatabaseStore } from './database-store.js'

export type PostgresStoreOptions = Readonly<{
  url: string
  /** the cluster without a pooler, for the control pool and LISTEN (default url) */
  directUrl?: string
  poolSize: number
  /** false behind a transaction-mode pooler (see PostgresDatabaseOptions.preparedStatements) */
  preparedStatements?: boolean
  /** how long a request waits for a connection */
  acquireTimeoutMs?: number
  applicationName?: string
}>

export async function createPostgresStore(options: PostgresStoreOptions): Promise<DatabaseStore> {
  const defaultName = databaseNameFromUrl(options.url)
  const applicationName = options.applicationName ?? 'data-api'
  const withDatabase = (base: string, name: string): string => {
    const url = new URL(base)
    url.pathname = `/${encodeURIComponent(name)}`
    return url.toString()
  }
  const urlFor = (name: string): string => (name === defaultName ? options.url : withDatabase(options.url, name))
  const directUrlFor = (name: string): string => (options.directUrl === undefined ? urlFor(name) : withDatabase(options.directUrl, name))
  let control: Promise<Database> | undefined
  const connectControl = async (): Promise<Database> => {
    for (const name of ['postgres', 'template1']) {
      if (name === defaultName) continue
      const db = await createPostgresDatabase({ url: directUrlFor(name), poolSize: 1, applicationName: `${applicationName}-control` }).catch(() => undefined)
      if (db) return db
    }
    return createPostgresDatabase({ url: directUrlFor(defaultName), poolSize: 1, applicationName: `${applicationName}-control` })
  }
  const controlDb = (): Promise<Database> => {
    control ??= connectControl().catch((err: unknown) => {
      control = undefined
      throw err
    })
    return control
  }
  const exists = async (name: string): Promise<boolean> => {
    if (name === defaultName) return true
    const rows = await (await controlDb()).query<{ found: boolean }>(
      'select exists (select from pg_database where datname = $1 and datallowconn and not datistemplate) as found',
      [name],
    )
    return rows[0]?.found === true
  }
  return {
    kind: 'postgres',
    defaultName,
    list: async () => {
      const rows = await (await controlDb()).query<{ datname: string }>(
        'select datname from pg_database where datallowconn and not datistemplate order by datname',
      )
      return [defaultName, ...rows.map((r) => r.datname).filter((n) => n !== defaultName)]
    },
    exists,
    open: async (name, open = {}) => {
      if (!(await exists(name))) throw new StoreError('missing', `database "${name}" does not exist`)
      const db = await createPostgresDatabase({
        url: urlFor(name),
        listenUrl: directUrlFor(name),
        poolSize: open.poolSize ?? options.poolSize,
        applicationName,
        acquireTimeoutMs: options.acquireTimeoutMs,
        preparedStatements: options.preparedStatements,
      })
      return open.servedAs ? { ...db, name: open.servedAs } : db
    },
    connectionUrl: urlFor,
    create: async (name, create = {}) => {
      const db = await controlDb()
      try {
        await db.query(`create database ${quoteIdent(name)}${create.template ? ` template ${quoteIdent(create.template)}` : ''}`)
      } catch (err) {
        const code = (err as { code?: string }).code
        if (code === '42P04') throw new StoreError('exists', `database "${name}" already exists`)
        if (code === '55006') {
          if (create.template !== undefined && options.directUrl !== undefined) await closePoolerConnections(db, create.template)
          throw new StoreError(
            'busy',
            `database "${create.template}" is in use by other sessions, so PostgreSQL cannot copy it: ${(err as Error).message}`,
          )
        }
        throw err
      }
    },
    drop: async (name) => {
      if (name === defaultName) throw new StoreError('invalid', `the default database "${name}" cannot be dropped`)
      await (await controlDb()).query(`drop database if exists ${quoteIdent(name)} with (force)`)
    },
    close: async () => {
      const db = await control?.catch(() => undefined)
      control = undefined
      await db?.close()
    },
  }
}

/**
 * Behind a pooler, the connections this server closed before a copy stay open in the pooler as its
 * idle server connections to the original. Idle ones of our own role are closed (the pooler drops a
 * closed idle connection and opens another when it needs one; nothing is in flight on them), so the
 * caller's next attempt can copy. A session of another role, or one in a transaction, is left alone.
 */
async function closePoolerConnections(control: Database, template: string): Promise<void> {
  await control.query(
    `select pg_terminate_backend(pid) from pg_stat_activity
      where datname = $1 and pid <> pg_backend_pid() and usename = current_user and state = 'idle' and backend_type = 'client backend'`,
    [template],
  )
}
