/**
 * ApiError → HTTP response: PostgREST's body `{"code","details","hint","message"}` in that key order,
 * JSON content type and Proxy-Status. The one place errors meet HTTP.
 */
import type { ApiError } from './api-error.js'
import type { HttpResponse } from '../rest/response/http-response.js'

export function renderError(error: ApiError): HttpResponse {
  const body = Buffer.from(
    JSON.stringify({ code: error.code, details: error.details ?? null, hint: error.hint ?? null, message: error.message }),
  )
  return {
    status: error.status,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Proxy-Status': `PostgREST; error=${error.code}`,
      ...error.headers,
    },
    body,
  }
}
