/**
 * Stage 1 (parse). HTTP method, path below /{db}/rest/v1, query string and headers → ApiRequest.
 * Pure; raises PGRST1xx errors. Mirrors PostgREST ApiRequest.hs.
 */
import { errors } from '../../errors/catalog.js'
import type { ApiRequest, Method, RequestPayload, Target } from './api-request.js'
import { parseAccept } from './media-type.js'
import { parsePayload } from './payload.js'
import { parsePreferences } from './preferences.js'
import { parseQueryParams } from './query-params.js'
import { parseRangeHeader } from './range-header.js'
import { parseRpcPayload } from './rpc-payload.js'

const METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS'])

export type RawRequest = Readonly<{
  method: string
  /** the part of the path after /{db}/rest/v1, still percent-encoded, e.g. `/posts` or `/rpc/fn` */
  path: string
  /** the query string without `?` */
  query: string
  headers: Readonly<Record<string, string | string[] | undefined>>
  body: Buffer | undefined
  /**
   * aborted when the client goes away before the answer (execute cancels the statement): an
   * AbortSignal, or the server's lighter equivalent (AbortLike in db/database.ts)
   */
  signal?: {
    readonly aborted: boolean
    addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void
    removeEventListener(type: 'abort', listener: () => void): void
  }
}>

export type ParseOptions = Readonly<{
  schemas: readonly string[]
  allowTxOverride: boolean
  /** db-root-spec: the function `/` calls instead of serving the OpenAPI document */
  rootSpec?: string
}>

export function parseApiRequest(raw: RawRequest, options: ParseOptions): ApiRequest {
  const method = raw.method.toUpperCase()
  const target = parseTarget(raw.path, options.rootSpec)
  if (!METHODS.has(method)) {
    throw target.kind === 'routine' ? errors.unsupportedRpcMethod(method) : errors.unsupportedMethod(method)
  }
  const m = method as Method
  if (target.kind === 'routine' && (m === 'PUT' || m === 'PATCH' || m === 'DELETE')) throw errors.unsupportedRpcMethod(m)

  const header = (name: string): string | undefined => {
    const value = raw.headers[name]
    return Array.isArray(value) ? value.join(', ') : value
  }
  const headerList = (name: string): string[] => {
    const value = raw.headers[name]
    return value === undefined ? [] : Array.isArray(value) ? value : [value]
  }

  const isRead = m === 'GET' || m === 'HEAD'
  const { schema, negotiated } = chooseSchema(isRead || m === 'OPTIONS' ? header('accept-profile') : header('content-profile'), options.schemas)
  const query = parseQueryParams(raw.query, { isRpcRead: target.kind === 'routine' && isRead })
  const preferences = parsePreferences(headerList('prefer'), { allowTxOverride: options.allowTxOverride })
  if (preferences.handling === 'strict' && preferences.invalid.length > 0) throw errors.invalidPreferences(preferences.invalid)

  return {
    method: m,
    target,
    schema,
    schemaNegotiated: negotiated || options.schemas.length > 1,
    query,
    preferences,
    range: m === 'GET' ? parseRangeHeader(header('range')) : undefined,
    accept: parseAccept(header('accept')),
    path: raw.path,
    headers: requestHeaders(raw.headers),
    cookies: parseCookies(header('cookie')),
    payload: parseBody(m, target, header('content-type'), raw.body, query.columns === undefined),
  }
}

/**
 * The body of a write or a function call; DELETE, reads and the root ignore theirs. With `columns=`
 * the JSON keys are not checked against each other (PostgREST sends such a body to Postgres as is).
 */
function parseBody(method: Method, target: Target, contentType: string | undefined, body: Buffer | undefined, validateKeys: boolean): RequestPayload | undefined {
  if (target.kind === 'routine') return method === 'POST' ? { kind: 'args', args: parseRpcPayload(contentType, body) } : undefined
  if (target.kind !== 'relation' || (method !== 'POST' && method !== 'PATCH' && method !== 'PUT')) return undefined
  return { kind: 'rows', rows: parsePayload(contentType, body, { validateKeys }) }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw errors.invalidPath()
  }
}

export function parseTarget(path: string, rootSpec?: string): Target {
  const segments = path.split('/').filter((s, i) => !(i === 0 && s === ''))
  if (segments.length === 0 || (segments.length === 1 && segments[0] === '')) return rootSpec === undefined ? { kind: 'root' } : { kind: 'routine', name: rootSpec }
  // the OpenAPI document also lives at a name tools look for
  if (segments.length === 1 && segments[0] === 'openapi.json') return { kind: 'root' }
  if (segments.length === 1) {
    const name = decodeSegment(segments[0]!)
    if (name === '') throw errors.invalidPath()
    return { kind: 'relation', name }
  }
  if (segments.length === 2 && segments[0] === 'rpc' && segments[1] !== '') return { kind: 'routine', name: decodeSegment(segments[1]!) }
  throw errors.invalidPath()
}

function chooseSchema(profile: string | undefined, schemas: readonly string[]): { schema: string; negotiated: boolean } {
  if (profile === undefined || profile === '') return { schema: schemas[0] ?? 'public', negotiated: false }
  if (!schemas.includes(profile)) throw errors.unacceptableSchema(profile, schemas)
  return { schema: profile, negotiated: true }
}

export function requestHeaders(headers: RawRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name === 'cookie') continue
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
  }
  return out
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  if (!header) return out
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=')
    if (eq === -1) continue
    const name = pair.slice(0, eq).trim()
    const value = pair.slice(eq + 1).trim()
    if (name === '') continue
    try {
      out[name] = decodeURIComponent(value)
    } catch {
      out[name] = value
    }
  }
  return out
}
