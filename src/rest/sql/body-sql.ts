/**
 * Stage 3 (build SQL). The `body` column of a main statement: the rows of `_postgrest_t` rendered by
 * Postgres in the negotiated media type, so Node passes the bytes through. Mirrors PostgREST
 * Query/SqlFragment.hs (asJsonF, asCsvF, asGeoJsonF).
 */
import type { MediaType } from '../api-request/media-type.js'
import { ident, qi, sql, type Sql } from '../../sql/fragment.js'

const T = sql`"_postgrest_t"`

const SOURCE = sql`"pgrst_source"`

/** the value column of a function returning a scalar */
export const SCALAR = ident('pgrst_scalar')

export function bodySql(mediaType: MediaType, headOnly: boolean): Sql {
  if (headOnly) return sql`''`
  switch (mediaType.kind) {
    case 'json':
    case 'any':
    case 'openapi':
      return sql`coalesce(json_agg(${T}), '[]')::text`
    case 'arrayStripped':
      return sql`coalesce(json_agg(json_strip_nulls(row_to_json(${T}))), '[]')::text`
    case 'object':
      return mediaType.stripped
        ? sql`coalesce((json_agg(json_strip_nulls(row_to_json(${T})))->0)::text, 'null')`
        : sql`coalesce((json_agg(${T})->0)::text, 'null')`
    case 'csv':
      // Header from the keys of the first row; each row is the record's text form without its parens.
      return sql`(SELECT coalesce(string_agg(k, ','), '') FROM (SELECT json_object_keys(row_to_json(h)) AS k FROM (SELECT * FROM ${SOURCE} LIMIT 1) h) header) || chr(10) || coalesce(string_agg(substring(${T}::text, 2, length(${T}::text) - 2), chr(10)), '')`
    case 'geojson':
      // PostGIS 3: each row a Feature, its first geometry column the geometry and the rest its properties
      return sql`json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(ST_AsGeoJSON(${T})::json), '[]'))::text`
    case 'handler': {
      const h = mediaType.handler
      // a function handler: the function's one value, as the domain it returns
      if (h.kind === 'function') return sql`((array_agg(${T}.${SCALAR}))[1])::text`
      return sql`${qi(h.function)}(${h.target ? sql`${T}::${qi(h.target)}` : T})::text`
    }
    case 'raw': {
      const column = sql`${T}.${ident(mediaType.column)}`
      return mediaType.binary
        ? sql`coalesce(string_agg(${column}, ''::bytea), ''::bytea)::text`
        : sql`coalesce(string_agg((${column})::text, ''), '')`
    }
  }
}
