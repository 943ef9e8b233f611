/**
 * How the CLI prints an operation's answer: `--output json` and `yaml` as they are, `table` (the
 * default) through the operation's own formatter or, without one, as an aligned table of the list
 * it holds or the fields it has.
 */
import { stringify } from 'yaml'

export type OutputFormat = 'table' | 'json' | 'yaml'

function cell(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'object') {
    const text = JSON.stringify(value)
    return text.length > 60 ? `${text.slice(0, 57)}...` : text
  }
  return String(value)
}

function table(rows: readonly Readonly<Record<string, unknown>>[]): string {
  if (rows.length === 0) return '(none)'
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))]
  const cells = rows.map((r) => columns.map((c) => cell(r[c])))
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)))
  const line = (values: readonly string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd()
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n')
}

function fields(value: Readonly<Record<string, unknown>>): string {
  const keys = Object.keys(value)
  if (keys.length === 0) return 'Done.'
  const width = Math.max(...keys.map((k) => k.length))
  return keys
    .map((k) => {
      const v = value[k]
      const text = typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)
      return `${k.padEnd(width)}  ${text}`
    })
    .join('\n')
}

export function formatOutput(output: unknown, format: OutputFormat, formatter?: (output: unknown) => string): string {
  if (format === 'json') return JSON.stringify(output, null, 2)
  if (format === 'yaml') return stringify(output).trimEnd()
  if (formatter) return formatter(output)
  if (Array.isArray(output)) return table(output as Record<string, unknown>[])
  if (typeof output !== 'object' || output === null) return String(output)
  const record = output as Record<string, unknown>
  const lists = Object.entries(record).filter(([, v]) => Array.isArray(v) && v.every((x) => typeof x === 'object' && x !== null))
  if (lists.length === 1) {
    const [name, list] = lists[0]!
    const rest = Object.fromEntries(Object.entries(record).filter(([k]) => k !== name))
    const body = table(list as Record<string, unknown>[])
    return Object.keys(rest).length > 0 ? `${body}\n${fields(rest)}` : body
  }
  return fields(record)
}
