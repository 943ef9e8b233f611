/**
 * Stage 2 (plan). Looks a table or view up in the schema cache, or raises PGRST205 with PostgREST's
 * "Perhaps you meant" hint.
 */
import { errors } from '../../errors/catalog.js'
import type { SchemaCache, Table } from '../../schema-cache/types.js'
import { similarity } from './find-relationship.js'

export function findTableOrThrow(cache: SchemaCache, schema: string, name: string): Table {
  const table = cache.tables.get(`${schema}.${name}`)
  if (table) return table
  throw errors.tableNotFound(schema, name, suggestTableName(cache, schema, name))
}

function suggestTableName(cache: SchemaCache, schema: string, name: string): string | null {
  let best: string | null = null
  let bestScore = 0
  let count = 0
  for (const table of cache.tables.values()) {
    if (table.schema !== schema) continue
    count += 1
    const score = similarity(table.name.toLowerCase(), name.toLowerCase())
    if (score > bestScore) {
      bestScore = score
      best = table.name
    }
  }
  // PostgREST skips fuzzy search on very large schemas; so do we, to keep 404s cheap.
  return count < 500 && bestScore >= 0.6 ? best : null
}
