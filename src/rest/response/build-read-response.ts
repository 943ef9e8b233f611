/**
 * Stage 5 (respond). The main statement's row of a read → status, headers and the body bytes exactly
 * as Postgres built them (never parsed here). Pure.
 */
import type { ResultRow } from '../../db/database.js'
import type { ApiRequest } from '../api-request/api-request.js'
import { bodyBytes, contentTypeOf } from '../api-request/media-type.js'
import type { ReadPlan } from '../plan/types.js'
import { contentRange, readStatus } from './content-range.js'
import { gucHeaders, gucStatus, mergeHeaders } from './guc-overrides.js'
import type { HttpResponse } from './http-response.js'

export function buildReadResponse(request: ApiRequest, plan: ReadPlan, row: ResultRow | undefined): HttpResponse {
  const pageTotal = Number(row?.page_total ?? 0)
  const total = row?.total === null || row?.total === undefined ? undefined : Number(row.total)
  const lower = plan.root.offset
  const status = readStatus(lower, pageTotal, total)
  const headers: Record<string, string> = {
    'Content-Type': contentTypeOf(plan.mediaType),
    'Content-Range': contentRange(lower, pageTotal, total),
    'Content-Location': request.query.canonical === '' ? request.path : `${request.path}?${request.query.canonical}`,
  }
  if (request.schemaNegotiated) headers['Content-Profile'] = request.schema
  if (plan.preferenceApplied.length > 0) headers['Preference-Applied'] = plan.preferenceApplied.join(', ')
  const overrides = gucHeaders(row?.response_headers)
  const finalStatus = gucStatus(row?.response_status) ?? status
  const body = plan.headOnly ? undefined : bodyBytes(plan.mediaType, row?.body ?? '[]')
  return { status: finalStatus, headers: mergeHeaders(headers, overrides), body }
}
