/**
 * The Data API page's security warnings, from list_tables: a table the API exposes whose
 * row-level security is off can be read whole by every signed-in user.
 */
import type { Table } from '../api/management'

export type RlsWarning = Readonly<{ schema: string; table: string; label: string; text: string }>

/** How the console names a table: bare in public (as the API addresses it), qualified elsewhere. */
export function tableLabel(schema: string, name: string): string {
  return schema === 'public' ? name : `${schema}.${name}`
}

export function rlsWarnings(tables: readonly Table[]): RlsWarning[] {
  return tables
    .filter((t) => t.exposed && t.kind === 'table' && !t.rls_enabled)
    .map((t) => {
      const label = tableLabel(t.schema, t.name)
      return { schema: t.schema, table: t.name, label, text: `${label} has RLS disabled. All authenticated users can view all rows in this table.` }
    })
}
