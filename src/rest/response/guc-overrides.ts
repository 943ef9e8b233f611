/**
 * Stage 5 (respond). Headers and status a SQL function set through the response.headers and
 * response.status settings (postgrest-spec.md §8.5).
 */
import { errors } from '../../errors/catalog.js'

export function gucHeaders(value: string | null | undefined): Record<string, string> {
  if (value === null || value === undefined) return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    throw errors.gucHeaders()
  }
  if (!Array.isArray(parsed)) throw errors.gucHeaders()
  const out: Record<string, string> = {}
  for (const item of parsed) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw errors.gucHeaders()
    const entries = Object.entries(item as Record<string, unknown>)
    if (entries.length !== 1 || typeof entries[0]![1] !== 'string') throw errors.gucHeaders()
    out[entries[0]![0]] = entries[0]![1] as string
  }
  return out
}

export function gucStatus(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined
  if (!/^\d{3}$/.test(value.trim())) throw errors.gucStatus()
  const status = Number(value.trim())
  if (status < 100 || status > 599) throw errors.gucStatus()
  return status
}

/** GUC headers replace same-named built-in headers, whatever their case. */
export function mergeHeaders(base: Record<string, string>, overrides: Record<string, string>): Record<string, string> {
  const out = { ...base }
  for (const [name, value] of Object.entries(overrides)) {
    for (const existing of Object.keys(out)) if (existing.toLowerCase() === name.toLowerCase()) delete out[existing]
    out[name] = value
  }
  return out
}
