/** Values as the console shows them: always text, never markup. */

/** A cell of a result or row: NULL as NULL, JSON values as JSON, the rest as they are. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL'
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`
}

/** "INSERT 0 2"-like words for a statement that returned no rows. */
export function statementSummary(command: string | null, rowCount: number | null, fields: number): string {
  const what = command ?? 'Statement'
  if (fields > 0 || rowCount === null) return fields > 0 ? `${what} · ${plural(rowCount ?? 0, 'row')}` : what
  return `${what} · ${plural(rowCount, 'row')} affected`
}

/** Only http(s) URLs become links (a URL from the server is never a javascript: link). */
export function safeHref(url: string): string | undefined {
  try {
    const parsed = new URL(url, window.location.href)
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined
  } catch {
    return undefined
  }
}

export function dateTime(iso: string): string {
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' })
}
