/**
 * Stage 1 (parse). The Accept header as an ordered list of media types (q-values sorted, ties kept in
 * the order given), and the closed set of media types a relation read can produce.
 */

import type { MediaHandler } from '../../schema-cache/types.js'

export type MediaType =
  | Readonly<{ kind: 'json' }>
  | Readonly<{ kind: 'arrayStripped' }>
  | Readonly<{ kind: 'object'; stripped: boolean }>
  | Readonly<{ kind: 'csv' }>
  /** a FeatureCollection of the rows (PostGIS's ST_AsGeoJSON) */
  | Readonly<{ kind: 'geojson' }>
  | Readonly<{ kind: 'openapi' }>
  | Readonly<{ kind: 'any' }>
  /** a media type handler from the schema cache (an aggregate, or a function returning the domain) */
  | Readonly<{ kind: 'handler'; handler: MediaHandler }>
  /** the one value column as is: its text, or its bytes when it is bytea */
  | Readonly<{ kind: 'raw'; mime: RawMime; column: string; binary: boolean }>

export type RawMime = 'text/plain' | 'text/xml' | 'application/octet-stream'
export const RAW_MIMES: ReadonlySet<string> = new Set<RawMime>(['text/plain', 'text/xml', 'application/octet-stream'])

/** Media types PostgREST knows by name and answers with a charset. */
const WITH_CHARSET: ReadonlySet<string> = new Set([
  'application/json',
  'application/geo+json',
  'text/csv',
  'text/plain',
  'text/xml',
  'application/openapi+json',
  'application/x-www-form-urlencoded',
])

export type AcceptItem = Readonly<{ raw: string; type: string; params: Readonly<Record<string, string>>; q: number }>

export function parseAccept(header: string | undefined): readonly AcceptItem[] {
  if (header === undefined || header.trim() === '') return [{ raw: '*/*', type: '*/*', params: {}, q: 1 }]
  const items = header
    .split(',')
    .map((part, index) => {
      const [typePart = '', ...paramParts] = part.split(';')
      const params: Record<string, string> = {}
      let q = 1
      for (const p of paramParts) {
        const eq = p.indexOf('=')
        if (eq === -1) continue
        const key = p.slice(0, eq).trim().toLowerCase()
        const value = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1')
        if (key === 'q') q = Number.isFinite(Number(value)) ? Number(value) : 0
        else params[key] = value.toLowerCase()
      }
      return { raw: part.trim(), type: typePart.trim().toLowerCase(), params, q, index }
    })
    .filter((item) => item.type !== '' && item.q > 0)
  items.sort((a, b) => b.q - a.q || a.index - b.index)
  return items.map(({ raw, type, params, q }) => ({ raw, type, params, q }))
}

/** What a relation read or RPC can answer with; undefined when this item is not one of ours. */
export function toMediaType(item: AcceptItem, options: { root: boolean }): MediaType | undefined {
  const stripped = item.params.nulls === 'stripped'
  switch (item.type) {
    case '*/*':
    case 'application/*':
      return options.root ? { kind: 'openapi' } : { kind: 'json' }
    case 'application/json':
      return options.root ? { kind: 'openapi' } : { kind: 'json' }
    case 'application/openapi+json':
      return options.root ? { kind: 'openapi' } : undefined
    case 'application/vnd.pgrst.array+json':
    case 'application/vnd.pgrst.array':
      return options.root ? undefined : stripped ? { kind: 'arrayStripped' } : { kind: 'json' }
    case 'application/vnd.pgrst.object+json':
    case 'application/vnd.pgrst.object':
      return options.root ? undefined : { kind: 'object', stripped }
    case 'text/csv':
      return options.root ? undefined : { kind: 'csv' }
    case 'application/geo+json':
      return options.root ? undefined : { kind: 'geojson' }
    default:
      return undefined
  }
}

export function contentTypeOf(mediaType: MediaType): string {
  switch (mediaType.kind) {
    case 'json':
    case 'any':
      return 'application/json; charset=utf-8'
    case 'arrayStripped':
      return 'application/vnd.pgrst.array+json;nulls=stripped; charset=utf-8'
    case 'object':
      return mediaType.stripped
        ? 'application/vnd.pgrst.object+json;nulls=stripped; charset=utf-8'
        : 'application/vnd.pgrst.object+json; charset=utf-8'
    case 'csv':
      return 'text/csv; charset=utf-8'
    case 'geojson':
      return 'application/geo+json; charset=utf-8'
    case 'openapi':
      return 'application/openapi+json; charset=utf-8'
    case 'raw':
      return mediaType.mime === 'application/octet-stream' ? mediaType.mime : `${mediaType.mime}; charset=utf-8`
    case 'handler': {
      // a `*/*` handler answers as octet-stream (response.headers may say otherwise)
      const mime = mediaType.handler.mediaType === '*/*' ? 'application/octet-stream' : mediaType.handler.mediaType
      return WITH_CHARSET.has(mime) ? `${mime}; charset=utf-8` : mime
    }
  }
}

/** The body as Postgres built it, as bytes: bytea arrives in its hex text form. */
export function bodyBytes(mediaType: MediaType, text: string): Buffer {
  const binary = (mediaType.kind === 'handler' && mediaType.handler.binary) || (mediaType.kind === 'raw' && mediaType.binary)
  return binary && text.startsWith('\\x') ? Buffer.from(text.slice(2), 'hex') : Buffer.from(text)
}
