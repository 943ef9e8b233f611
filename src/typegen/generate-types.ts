/**
 * `data-api gen types`: the TypeScript `Database` type of the given schemas, as the Data API exposes
 * them, for the typed clients (supabase-js, postgrest-js, neon-js). Reads the catalog through any
 * query function (Database.query, a pg client, a PGlite adapter): the schema cache's queries, plus
 * one of its own.
 */
import { loadSchemaCache, type CatalogQuery } from '../schema-cache/load-schema-cache.js'
import { renderTypes } from './render-types.js'
import { decodeTypegenRow, TYPEGEN_SQL } from './typegen-catalog.js'
import { buildTypesModel } from './types-model.js'

export type GenerateTypesOptions = Readonly<{
  /** the schemas to describe, in order; the first is the clients' default (the API's exposed schemas) */
  schemas: readonly string[]
}>

export async function generateTypes(query: CatalogQuery, options: GenerateTypesOptions): Promise<string> {
  const schemas = [...new Set(options.schemas)]
  if (schemas.length === 0) throw new Error('type generation needs at least one schema')
  const cache = await loadSchemaCache(query, schemas)
  const [row] = await query(TYPEGEN_SQL, [schemas])
  return renderTypes(buildTypesModel(cache, decodeTypegenRow(row), schemas))
}
