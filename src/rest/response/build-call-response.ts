/**
 * Stage 5 (respond). The main statement's row of an RPC → status, headers and body (postgrest-spec.md
 * §6.4): void → 204 without body or Content-Type; otherwise the body Postgres built, with
 * Content-Range like a read; response.headers/response.status GUCs override. Pure.
 */
import type { ResultRow } from '../../db/database.js'
import type { ApiRequest } from '../api-request/api-request.js'
import { bodyBytes, contentTypeOf } from '../api-request/media-type.js'
import type { CallPlan } from '../plan/types.js'
import { contentRange, readStatus } from './content-range.js'
import { gucHeaders, gucStatus, mergeHeaders } from './guc-overrides.js'
import type { HttpResponse } from './http-response.js'

export function buildCallResponse(request: ApiRequest, plan: CallPlan, row: ResultRow | undefined): HttpResponse {
  const pageTotal = Number(row?.page_total ?? 0)
  const total = row?.total === null || row?.total === undefined ? undefined : Number(row.total)
  const lower = plan.root?.offset ?? plan.offset
  const headers: Record<string, string> = { 'Content-Range': contentRange(lower, pageTotal, total) }
  if (request.schemaNegotiated) headers['Content-Profile'] = request.schema
  if (plan.preferenceApplied.length > 0) headers['Preference-Applied'] = plan.preferenceApplied.join(', ')
  const overrides = gucHeaders(row?.response_headers)
  if (plan.shape === 'void') {
    return { status: gucStatus(row?.response_status) ?? 204, headers: mergeHeaders(headers, overrides), body: undefined }
  }
  const status = readStatus(lower, pageTotal, total)
  headers['Content-Type'] = contentTypeOf(plan.mediaType)
  const body = plan.headOnly ? undefined : bodyBytes(plan.mediaType, row?.body ?? 'null')
  return { status: gucStatus(row?.response_status) ?? status, headers: mergeHeaders(headers, overrides), body }
}
