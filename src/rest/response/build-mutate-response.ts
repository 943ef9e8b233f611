/**
 * Stage 5 (respond). The row of a write → PostgREST's status, Content-Range, Location and
 * Preference-Applied rules (postgrest-spec.md §4.4, §5). Pure.
 */
import type { ResultRow } from '../../db/database.js'
import type { ApiRequest } from '../api-request/api-request.js'
import { bodyBytes, contentTypeOf } from '../api-request/media-type.js'
import type { MutatePlan } from '../plan/types.js'
import { gucHeaders, gucStatus, mergeHeaders } from './guc-overrides.js'
import type { HttpResponse } from './http-response.js'

const count = (v: string | null | undefined) => (v === null || v === undefined ? undefined : Number(v))

function locationOf(plan: MutatePlan, request: ApiRequest, keyJson: string | null | undefined): string | undefined {
  if (!keyJson) return undefined
  const key = JSON.parse(keyJson) as Record<string, unknown>
  const parts = plan.table.primaryKey.map((column) => {
    const value = key[column]
    const name = encodeURIComponent(column)
    if (value === null || value === undefined) return `${name}=is.null`
    const text = typeof value === 'object' ? JSON.stringify(value) : String(value)
    return `${name}=eq.${encodeURIComponent(text)}`
  })
  return `${request.path}?${parts.join('&')}`
}

export function buildMutateResponse(request: ApiRequest, plan: MutatePlan, row: ResultRow | undefined): HttpResponse {
  const affected = count(row?.affected)
  const total = plan.count !== undefined ? affected : undefined
  const headers: Record<string, string> = {}
  const withBody = plan.returning === 'representation'
  let status: number

  switch (plan.mutation) {
    case 'insert': {
      if (plan.isPut) {
        status = withBody ? ((count(row?.inserted) ?? 0) > 0 ? 201 : 200) : 204
        break
      }
      const inserted = count(row?.inserted)
      status = plan.onConflict?.resolution === 'merge' && inserted === 0 && (affected ?? 0) > 0 ? 200 : 201
      headers['Content-Range'] = `*/${total ?? '*'}`
      if (plan.returning === 'headers-only' && affected === 1) {
        const location = locationOf(plan, request, row?.location)
        if (location) headers.Location = location
      }
      break
    }
    case 'update': {
      status = withBody ? 200 : 204
      const n = affected ?? 0
      headers['Content-Range'] = n > 0 ? `0-${n - 1}/${total ?? '*'}` : `*/${total ?? '*'}`
      break
    }
    case 'delete':
      status = withBody ? 200 : 204
      headers['Content-Range'] = `*/${total ?? '*'}`
      break
  }
  if (plan.preferenceApplied.length > 0) headers['Preference-Applied'] = plan.preferenceApplied.join(', ')
  if (request.schemaNegotiated) headers['Content-Profile'] = request.schema

  let body: Buffer | undefined
  if (withBody) {
    headers['Content-Type'] = contentTypeOf(plan.mediaType)
    // A single JSON object sent without vnd.pgrst.object still gets an array back, as PostgREST does.
    body = bodyBytes(plan.mediaType, row?.body ?? '[]')
  } else if (status !== 204) {
    body = Buffer.alloc(0)
  }
  const finalStatus = gucStatus(row?.response_status) ?? status
  return { status: finalStatus, headers: mergeHeaders(headers, gucHeaders(row?.response_headers)), body }
}
