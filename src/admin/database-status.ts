/**
 * `data-api status`: is the API enabled on this database, with which settings, do its roles exist,
 * and — the warning users must see — which tables of the exposed schemas have row-level security
 * disabled (every role granted access to such a table reads and changes all of its rows).
 */
import type { Database } from '../db/database.js'
import type { DataApiState } from './data-api-state.js'

export const REQUEST_ROLES = ['authenticator', 'authenticated', 'anonymous'] as const

export type UnprotectedTable = Readonly<{
  schema: string
  name: string
  /** of authenticated/anonymous (and the stored anonymous role), those with any privilege on it */
  grantedTo: readonly string[]
  /** schema.name as PostgreSQL quotes names (only where needed) */
  qualified: string
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
select n.nspname::text as schema, c.relname::text as name, quote_ident(n.nspname) || '.' || quote_ident(c.relname) as qualified,
  coalesce((select array_agg(r.rolname::text order by r.rolname) from pg_roles r
    where r.rolname = any($2::text[])
      and has_table_privilege(r.oid, c.oid, 'SELECT, INSERT, UPDATE, DELETE')), '{}'::text[]) as granted_to
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p') and not c.relrowsecurity and n.nspname = any($1::text[])
order by 1, 2`

export async function databaseStatus(db: Database, name: string, state: DataApiState): Promise<DatabaseStatus> {
  const config = state.resolved.config
  const exposedSchemas = [...config.schemas]
  const anonRole = config.anonRole
  const roleRows = await db.query<{ rolname: string }>('select rolname from pg_roles where rolname = any($1::text[])', [
    [...REQUEST_ROLES, ...(anonRole ? [anonRole] : [])],
  ])
  const present = new Set(roleRows.map((r) => r.rolname))
  const roles = Object.fromEntries(REQUEST_ROLES.map((r) => [r, present.has(r)]))
  const requestRoles = ['authenticated', 'anonymous', ...(anonRole ? [anonRole] : [])]
  const tables = await db.query<{ schema: string; name: string; qualified: string; granted_to: string[] }>(RLS_DISABLED, [exposedSchemas, [...new Set(requestRoles)]])
  return {
    database: name,
    enabled: state.enabled,
    bootstrapped: state.bootstrapped,
    settings: Object.fromEntries(Object.entries(state.resolved.settings).map(([k, v]) => [k, v.value])),
    exposedSchemas,
    roles,
    rlsDisabled: tables.map((t) => ({ schema: t.schema, name: t.name, qualified: t.qualified, grantedTo: t.granted_to })),
  }
}


/** The status as the CLI prints it. */
export function formatStatus(status: DatabaseStatus): string {
  const lines: string[] = []
  lines.push(`Database: ${status.database}`)
  lines.push(`Data API: ${status.enabled ? 'enabled' : status.bootstrapped ? 'disabled (data-api create enables it)' : 'not enabled (run data-api create)'}`)
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
      lines.push(`  ${t.qualified}${granted}`)
    }
    lines.push('Enable it and add policies, e.g.:')
    const first = status.rlsDisabled[0]!
    lines.push(`  ALTER TABLE ${first.qualified} ENABLE ROW LEVEL SECURITY;`)
  }
  return lines.join('\n')
}
