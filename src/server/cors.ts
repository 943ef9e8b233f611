/**
 * CORS as PostgREST does it (postgrest-spec.md §8.7): only when an Origin header is present; any
 * origin unless a list is configured, in which case only listed origins, with credentials.
 */
const EXPOSE =
  'Content-Encoding, Content-Location, Content-Range, Content-Type, Date, Location, Server, Transfer-Encoding, Range-Unit, Content-Profile, Preference-Applied, Proxy-Status, set-auth-jwt'

export function corsHeaders(
  origin: string | undefined,
  allowed: readonly string[] | undefined,
  preflight: { requestHeaders: string | undefined } | undefined,
): Record<string, string> {
  if (origin === undefined) return {}
  if (allowed !== undefined && !allowed.includes(origin)) return {}
  const headers: Record<string, string> = { 'Access-Control-Allow-Origin': allowed === undefined ? '*' : origin }
  if (allowed !== undefined) {
    headers['Access-Control-Allow-Credentials'] = 'true'
    headers.Vary = 'Origin'
  }
  if (preflight) {
    headers['Access-Control-Allow-Methods'] = 'GET, POST, PATCH, PUT, DELETE, OPTIONS, HEAD'
    const requested = preflight.requestHeaders ? `, ${preflight.requestHeaders}` : ''
    headers['Access-Control-Allow-Headers'] = `Authorization${requested}, Accept, Accept-Language, Content-Language`
    headers['Access-Control-Max-Age'] = '86400'
  } else {
    headers['Access-Control-Expose-Headers'] = EXPOSE
  }
  return headers
}
