/**
 * `data-api status`: is the API enabled on this database, with which settings, do its roles exist,
 * and — the warning users must see — which tables of the exposed schemas have row-level security
 * disabled (every role granted access to such a table reads and changes all of its rows). Shared by
 * the CLI and (later) the admin API, console and MCP.
 */
import type { Database } from '../db/database.js'
import { readSettings } from './settings.js'

export const REQUEST_ROLES = ['authenticator', 'authenticated', 'anonymous'] as const

export type UnprotectedTable = Readonly<{
  schema: string
  name: string
  /** of authenticated/anonymous (and the stored anonymous role), those with any privilege on it */
  grantedTo: readonly string[]
}>

export type DatabaseStatus = Readonly<{
  database: string
  enabled: boolean
  /** data_api.settings exists (the database was bootstrapped or enabled) */
  bootstrapped: boolean
  settings: Readonly<Record<string, unknown>>
  exposedSchemas: readonly string[]
  roles: Readonly<Record<string, boolean>>
  rlsDisabled: readonly UnprotectedTable[]
}>

const RLS_DISABLED = `
select n.nspname::text as schema, c.relname::text as name,
  coalesce((select array_agg(r.rolname::text order by r.rolname) from pg_roles r
    where r.rolname = any($2::text[])
      and has_table_privilege(r.oid, c.oid, 'SELECT, INSERT, UPDATE, DELETE')), '{}'::text[]) as granted_to
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p') and not c.relrowsecurity and n.nspname = any($1::text[])
order by 1, 2`

export async function databaseStatus(db: Database, options: Readonly<{ schemas: readonly string[] }>): Promise<DatabaseStatus> {
  const [exists] = await db.query<{ present: boolean }>(`select to_regclass('data_api.settings') is not null as present`)
  const settings = await readSettings(db)
  const stored = settings.db_schemas
  const exposedSchemas =
    Array.isArray(stored) && stored.every((s) => typeof s === 'string') && stored.length > 0 ? (stored as string[]) : [...options.schemas]
  const roleRows = await db.query<{ rolname: string }>('select rolname from pg_roles where rolname = any($1::text[])', [
    [...REQUEST_ROLES, ...(typeof settings.anon_role === 'string' ? [settings.anon_role] : [])],
  ])
  const present = new Set(roleRows.map((r) => r.rolname))
  const roles = Object.fromEntries(REQUEST_ROLES.map((r) => [r, present.has(r)]))
  const requestRoles = ['authenticated', 'anonymous', ...(typeof settings.anon_role === 'string' ? [settings.anon_role] : [])]
  const tables = await db.query<{ schema: string; name: string; granted_to: string[] }>(RLS_DISABLED, [exposedSchemas, [...new Set(requestRoles)]])
  return {
    database: db.name,
    enabled: exists?.present === true && settings.enabled !== false,
    bootstrapped: exists?.present === true,
    settings,
    exposedSchemas,
    roles,
    rlsDisabled: tables.map((t) => ({ schema: t.schema, name: t.name, grantedTo: t.granted_to })),
  }
}

const quote = (name: string) => (/^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`)

/** The status as the CLI prints it. */
export function formatStatus(status: DatabaseStatus): string {
  const lines: string[] = []
  lines.push(`Database: ${status.database}`)
  lines.push(`Data API: ${status.enabled ? 'enabled' : status.bootstrapped ? 'disabled' : 'not enabled (run data-api enable)'}`)
  const keys = Object.keys(status.settings).filter((k) => k !== 'enabled')
  if (keys.length > 0) {
    lines.push('Settings:')
    const width = Math.max(...keys.map((k) => k.length))
    for (const key of keys) lines.push(`  ${key.padEnd(width)}  ${JSON.stringify(status.settings[key])}`)
  }
  lines.push(`Exposed schemas: ${status.exposedSchemas.join(', ')}`)
  const missing = Object.entries(status.roles).filter(([, ok]) => !ok).map(([r]) => r)
  lines.push(`Roles: ${missing.length === 0 ? Object.keys(status.roles).join(', ') : `missing ${missing.join(', ')}`}`)
  if (status.rlsDisabled.length === 0) {
    lines.push('Row-level security: enabled on every table in the exposed schemas.')
  } else {
    const n = status.rlsDisabled.length
    lines.push('')
    lines.push(`WARNING: ${n} table${n === 1 ? '' : 's'} in the exposed schemas ${n === 1 ? 'has' : 'have'} row-level security disabled.`)
    lines.push('Every role granted access to such a table reads and changes all of its rows:')
    for (const t of status.rlsDisabled) {
      const granted = t.grantedTo.length > 0 ? `  (granted to ${t.grantedTo.join(', ')})` : ''
      lines.push(`  ${quote(t.schema)}.${quote(t.name)}${granted}`)
    }
    lines.push('Enable it and add policies, e.g.:')
    const first = status.rlsDisabled[0]!
    lines.push(`  ALTER TABLE ${quote(first.schema)}.${quote(first.name)} ENABLE ROW LEVEL SECURITY;`)
  }
  return lines.join('\n')
}
