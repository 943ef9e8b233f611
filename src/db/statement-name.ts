/**
 * Names prepared statements by their SQL text. The text depends only on a request's shape, never on
 * its values, so the same shape maps to the same name on every connection and is parsed once each.
 */
import { createHash } from 'node:crypto'

// Hashing a few KB of SQL costs microseconds, but the same texts recur on every request: remember
// them. Cleared wholesale when full, which is rare and cheap (names are recomputed on demand).
const MAX_REMEMBERED = 2000
const names = new Map<string, string>()

/** `s_` + 16 hex digits of the SHA-1 of the text (64 bits: collisions are not a practical concern). */
export function statementName(text: string): string {
  let name = names.get(text)
  if (name === undefined) {
    name = `s_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`
    if (names.size >= MAX_REMEMBERED) names.clear()
    names.set(text, name)
  }
  return name
}
