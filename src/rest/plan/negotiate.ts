/**
 * Stage 2 (plan). Content negotiation: the first media type of the Accept header this request can
 * answer with, or PGRST107 (406). Mirrors PostgREST Plan.negotiateContent: PostgREST's own vendor
 * types (vnd.pgrst.object/array) cannot be overridden; any other type is looked up among the media
 * type handlers of the target (only when the request selects `*`: a handler renders whole rows),
 * then those for every relation, then the built-in ones (JSON, CSV, GeoJSON). Beside them, the
 * one value column of a read or a scalar function answers text/plain, text/xml and
 * application/octet-stream as is.
 */
import { errors } from '../../errors/catalog.js'
import { mediaHandlerKey, type QualifiedIdentifier, type SchemaCache } from '../../schema-cache/types.js'
import type { ApiRequest } from '../api-request/api-request.js'
import { RAW_MIMES, toMediaType, type MediaType, type RawMime } from '../api-request/media-type.js'
import type { ReadNode } from './types.js'

/** What the request's target can produce beyond the built-in media types. */
export type Producible = Readonly<{
  cache: SchemaCache
  /** the relation (or function) whose handlers apply */
  target: QualifiedIdentifier
  /** the request selects `*` and nothing else */
  defaultSelect: boolean
  /** the one value column, when there is exactly one */
  raw: Readonly<{ column: string; binary: boolean }> | undefined
}>

export function negotiate(request: ApiRequest, producible?: Producible): MediaType {
  for (const item of request.accept) {
    const builtin = toMediaType(item, { root: request.target.kind === 'root' })
    if (builtin && (builtin.kind === 'object' || builtin.kind === 'arrayStripped' || !producible)) return builtin
    if (producible) {
      const handler = findHandler(producible, item.type)
      if (handler) return { kind: 'handler', handler }
      if (producible.raw && RAW_MIMES.has(item.type)) return { kind: 'raw', mime: item.type as RawMime, ...producible.raw }
    }
    if (builtin) return builtin
  }
  throw errors.mediaTypeError(request.accept.map((a) => a.raw))
}

function findHandler(p: Producible, mediaType: string) {
  const handlers = p.cache.mediaHandlers
  if (!handlers) return undefined
  return (
    (p.defaultSelect ? (handlers.get(mediaHandlerKey(p.target, '*/*')) ?? handlers.get(mediaHandlerKey(p.target, mediaType))) : undefined) ??
    handlers.get(mediaHandlerKey(undefined, mediaType))
  )
}

/** The request selects `*` and nothing else (no columns, no embeds). */
export function selectsDefault(request: ApiRequest): boolean {
  const select = request.query.select
  return select.length === 1 && select[0]!.kind === 'star'
}

/** The one value column a read's node outputs, if it outputs exactly one plain column. */
export function singleColumn(node: ReadNode): Producible['raw'] {
  if (node.star || node.embeds.length > 0 || node.fields.length !== 1) return undefined
  const field = node.fields[0]!
  if (field.kind !== 'field') return { column: field.outputName, binary: false }
  const column = node.table.columns.find((c) => c.name === field.field.field.name)
  const plain = field.field.field.jsonPath.length === 0 && field.cast === undefined && field.aggregate === undefined
  return { column: field.outputName, binary: plain && column?.baseType === 'bytea' }
}
