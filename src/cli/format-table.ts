/** Prints query results the way psql does: aligned columns, a rule, and a row count. */
import type { QueryResult } from '../db/database.js'

function cell(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

export function formatResult(result: QueryResult): string {
  if (result.fields.length === 0) {
    const command = result.command ?? 'OK'
    // Like psql's tags: DML says how many rows it touched.
    return ['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY'].includes(command) && result.rowCount !== null ? `${command} ${result.rowCount}` : command
  }
  const rows = result.rows.map((row) => result.fields.map((f) => cell(row[f])))
  const widths = result.fields.map((f, i) => Math.max(f.length, ...rows.map((r) => r[i]!.length)))
  const line = (values: readonly string[]) => ` ${values.map((v, i) => v.padEnd(widths[i]!)).join(' | ')}`.trimEnd()
  const out = [line(result.fields), widths.map((w) => '-'.repeat(w + 2)).join('+'), ...rows.map(line)]
  out.push(`(${rows.length} ${rows.length === 1 ? 'row' : 'rows'})`)
  return out.join('\n')
}

export function formatResults(results: readonly QueryResult[]): string {
  return results.map(formatResult).join('\n\n')
}
