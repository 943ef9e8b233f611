/**
 * Stage 2 (plan). Content negotiation: the first media type of the Accept header this request can
 * answer with, or PGRST107 (406). Mirrors PostgREST Plan.negotiateContent.
 */
import { errors } from '../../errors/catalog.js'
import type { ApiRequest } from '../api-request/api-request.js'
import { toMediaType, type MediaType } from '../api-request/media-type.js'

export function negotiate(request: ApiRequest): MediaType {
  for (const item of request.accept) {
    const mediaType = toMediaType(item, { root: request.target.kind === 'root' })
    if (mediaType) return mediaType
  }
  throw errors.mediaTypeError(request.accept.map((a) => a.raw))
}
