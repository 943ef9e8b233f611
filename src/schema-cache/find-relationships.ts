/**
 * Schema cache lookups for the planner: tables, relationships, "Perhaps you meant" suggestions and
 * the one-line summary. Pure; no I/O.
 */
import type { QualifiedIdentifier, Relationship, SchemaCache, Table } from './types.js'
import { tableKey } from './types.js'

export function findTable(cache: SchemaCache, schema: string, name: string): Table | undefined {
  return cache.tables.get(tableKey({ schema, name }))
}

/** Every relationship starting at `table` (a table or view), computed ones included. */
export function findRelationships(cache: SchemaCache, table: QualifiedIdentifier): readonly Relationship[] {
  return cache.relationships.get(tableKey(table)) ?? []
}

/** Suggestions are only made when this close (1 = identical, see similarity()). */
export const SUGGESTION_THRESHOLD = 0.75
/** Like PostgREST, no suggestion for very large schemas, where near misses are mostly noise. */
export const SUGGESTION_MAX_TABLES = 500

/**
 * The most similar table name in `schema`, for PGRST205's hint, or null when nothing is close
 * enough. Ties go to the alphabetically first name so the hint is stable.
 */
export function suggestTable(cache: SchemaCache, schema: string, name: string): string | null {
  const candidates: string[] = []
  for (const table of cache.tables.values()) if (table.schema === schema) candidates.push(table.name)
  if (candidates.length >= SUGGESTION_MAX_TABLES) return null
  return closestName(name, candidates)
}

/** The candidate most similar to `name` at or above the threshold, else null. */
export function closestName(name: string, candidates: readonly string[]): string | null {
  let best: string | null = null
  let bestScore = SUGGESTION_THRESHOLD
  for (const candidate of [...candidates].sort()) {
    const score = similarity(name, candidate)
    if (score > bestScore || (score === bestScore && best === null)) {
      best = candidate
      bestScore = score
    }
  }
  return best
}

/**
 * Case-insensitive similarity in [0, 1]: 1 − edit distance / length of the longer name. A typo or
 * a missing letter in a word of eight scores about 0.88; unrelated names score well below 0.5.
 */
export function similarity(a: string, b: string): number {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  const longest = Math.max(x.length, y.length)
  if (longest === 0) return 1
  return 1 - levenshtein(x, y) / longest
}

function levenshtein(a: string, b: string): number {
  // one rolling row of the classic dynamic-programming table
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution))
    }
    previous = current
  }
  return previous[b.length]!
}

/** Start-up log line, e.g. `12 Relations, 30 Relationships, 7 Functions` (overloads count separately). */
export function describeSchemaCache(cache: SchemaCache): string {
  let relationships = 0
  for (const list of cache.relationships.values()) relationships += list.length
  let functions = 0
  for (const list of cache.routines.values()) functions += list.length
  return `${cache.tables.size} Relations, ${relationships} Relationships, ${functions} Functions`
}
