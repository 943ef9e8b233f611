/**
 * How `--output table` (the default) prints the answers that read better as text than as a
 * generic table: SQL results as psql does, tables, advisor findings, status, and one-line
 * confirmations. Operations without an entry print as a generic table (output.ts).
 */
import type { DatabaseStatus } from '../admin/database-status.js'
import { formatStatus } from '../admin/database-status.js'
import type { Issue } from '../admin/ops/advisor-ops.js'
import type { TableRow } from '../admin/ops/table-ops.js'
import type { QueryResult } from '../db/database.js'
import { formatResults } from './format-table.js'

function formatTables(tables: readonly (TableRow & { exposed: boolean; estimated_rows: number })[]): string {
  if (tables.length === 0) return 'No tables.'
  const rows = tables.map((t) => [
    `${t.schema}.${t.name}`,
    t.kind,
    t.rls_enabled ? 'on' : 'OFF',
    String((t.policies as unknown[]).length),
    String(t.estimated_rows),
    t.exposed ? 'yes' : 'no',
  ])
  const head = ['table', 'kind', 'rls', 'policies', 'rows (est.)', 'exposed']
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()
  return [line(head), ...rows.map(line)].join('\n')
}

function formatIssues(issues: readonly Issue[]): string {
  if (issues.length === 0) return 'No issues found.'
  return issues.map((i) => `${i.level.padEnd(5)}  ${i.title}: ${i.detail}\n       fix: ${i.sql.replaceAll('\n', '\n            ')}`).join('\n')
}

type Created = { url: string; grants?: string[]; authenticator_password?: string; authenticator_url?: string; warnings?: string[] }

function formatCreated(out: Created): string {
  const lines = [`Data API enabled: ${out.url}`]
  if (out.grants) lines.push('Granted role authenticated the use of schema public:', ...out.grants.map((g) => `  ${g.replaceAll('\n', ' ')}`))
  if (out.authenticator_password) lines.push(`Password of role authenticator (shown once, store it now): ${out.authenticator_password}`)
  if (out.authenticator_url) lines.push(`Serve the database with:\n  DATABASE_URL='${out.authenticator_url}' data-api serve`)
  for (const warning of out.warnings ?? []) lines.push(`Note: ${warning}`)
  return lines.join('\n')
}

export const FORMATS: Readonly<Record<string, (output: never) => string>> = {
  run_sql: (out: { results: QueryResult[] }) => formatResults(out.results),
  query: (out: { results: QueryResult[] }) => formatResults(out.results),
  list_tables: (out: { tables: (TableRow & { exposed: boolean; estimated_rows: number })[] }) => formatTables(out.tables),
  list_advisor_issues: (out: { issues: Issue[] }) => formatIssues(out.issues),
  get_status: (out: DatabaseStatus) => formatStatus(out),
  create_data_api: (out: Created) => formatCreated(out),
  update_data_api: () => 'Settings updated; every server applies them on its next request. Schema cache refreshed.',
  refresh_schema_cache: () => 'Schema cache refreshed.',
  delete_data_api: () => 'Data API disabled: its URL answers 404. Tables, roles and grants are unchanged; data-api create enables it again.',
}
