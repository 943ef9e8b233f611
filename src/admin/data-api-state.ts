/**
 * Whether a database has the Data API enabled, and its effective configuration: shared by the
 * operations that read or change it.
 */
import type { AppConfig } from '../config/app-config.js'
import { resolveConfig, type ResolvedConfig } from '../config/resolve-config.js'
import type { Database } from '../db/database.js'
import type { AdminContext } from './admin-context.js'
import { parseServedName } from '../serving/branch-registry.js'
import { notFound } from './operation.js'
import { readSettings } from './settings-store.js'

export type DataApiState = Readonly<{
  /** data-api's objects exist in the database (it was enabled at some point) */
  bootstrapped: boolean
  enabled: boolean
  stored: Readonly<Record<string, unknown>>
  resolved: ResolvedConfig
}>

export async function dataApiState(base: AppConfig, db: Database): Promise<DataApiState> {
  const [row] = await db.query<{ present: boolean }>(
    `select exists (select from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'data_api' and c.relname = 'settings') as present`,
  )
  const bootstrapped = row?.present === true
  const stored = bootstrapped ? await readSettings(db) : {}
  return { bootstrapped, enabled: bootstrapped && stored.enabled !== false, stored, resolved: resolveConfig(base, stored) }
}

/** The state of a database whose Data API must be enabled for the operation; 404 otherwise. */
export async function enabledState(base: AppConfig, db: Database, name: string): Promise<DataApiState> {
  const state = await dataApiState(base, db)
  if (!state.enabled) {
    const ref = parseServedName(name)
    throw notFound(`The Data API is not enabled for database "${ref?.database ?? name}" on branch ${ref?.branch ?? 'main'}. Create it first (data-api create).`)
  }
  return state
}

/** The schemas of a database a client could expose (not the system's own). */
export async function availableSchemas(db: Database): Promise<string[]> {
  const rows = await db.query<{ nspname: string }>(
    `select nspname from pg_namespace
     where nspname not like 'pg\\_%' and nspname <> 'information_schema' and nspname not in ('data_api', 'neon_auth')
     order by nspname`,
  )
  return rows.map((r) => r.nspname)
}

/** Tells every process serving the database to reload its schema cache (this one reloads now). */
export async function refreshSchema(ctx: AdminContext, db: Database, name: string): Promise<void> {
  const served = await ctx.host.open(name)
  await db.query(`select pg_notify('data_api', 'reload schema')`)
  await served?.schemaCache.reload()
}
