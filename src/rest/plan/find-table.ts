/**
 * Stage 2 (plan). Looks a table or view up in the schema cache, or raises PGRST205 with PostgREST's
 * "Perhaps you meant" hint.
 */
import { errors } from '../../errors/catalog.js'
import { findTable, suggestTable } from '../../schema-cache/find-relationships.js'
import type { SchemaCache, Table } from '../../schema-cache/types.js'

export function findTableOrThrow(cache: SchemaCache, schema: string, name: string): Table {
  const table = findTable(cache, schema, name)
  if (table) return table
  throw errors.tableNotFound(schema, name, suggestTable(cache, schema, name))
}
