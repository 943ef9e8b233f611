/**
 * The HTTP edge of the auth service: Node request → Fetch Request → Better Auth → Node response,
 * with the service's own CORS (credentialed, trusted origins only, exposing set-auth-jwt), the JWKS
 * also at /.well-known/jwks.json, the guide's `/api/auth/*` paths answered as their short forms, a
 * description of the service at its root, the reference UI from bundled assets, and the client's
 * address passed in a header nobody else can set.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AuthServiceConfig } from '../config/auth-service-config.js'
import { BodyTooLarge, readBody } from '../server/read-body.js'
import { REFERENCE_SCRIPT, referencePageResponse, referenceScriptResponse } from '../server/reference-page.js'
import type { HttpResponse } from '../rest/response/http-response.js'
import { isTrustedOrigin } from './trusted-origins.js'

/** Carries the client address to Better Auth (rate limits, sessions); any incoming value is dropped. */
export const CLIENT_IP_HEADER = 'x-data-api-client-ip'

const MAX_BODY_BYTES = 1024 * 1024

const EXPOSE = 'set-auth-jwt, set-auth-token, Content-Type, Content-Length, X-Retry-After'

// hop-by-hop and framing headers: Node handles them, a Fetch Request must not repeat them
const SKIP_REQUEST_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'expect', 'upgrade', CLIENT_IP_HEADER])
const SKIP_RESPONSE_HEADERS = new Set(['set-cookie', 'content-length', 'transfer-encoding', 'connection', 'access-control-expose-headers'])

export type AuthHttpDeps = Readonly<{
  auth: { handler: (request: Request) => Promise<Response> }
  basePath: string
  settings: AuthServiceConfig
  /** the service's public origin, always trusted */
  ownOrigin: string
}>

/**
 * Better Auth's own prefix. Neon's reference UI and guides name the endpoints `/api/auth/sign-up/email`
 * and so on, under the auth URL; they are the same endpoints as `/sign-up/email`.
 */
const BETTER_AUTH_PREFIX = '/api/auth'

/** The service path a request path names: `/api/auth/x` → `/x`, below basePath; null when not the service's. */
export function servicePath(path: string, basePath: string): string | null {
  if (path !== basePath && !path.startsWith(`${basePath}/`)) return null
  const below = path.slice(basePath.length)
  if (below === BETTER_AUTH_PREFIX || below.startsWith(`${BETTER_AUTH_PREFIX}/`)) return below.slice(BETTER_AUTH_PREFIX.length) || '/'
  return below || '/'
}

/** What `GET {auth URL}` answers: what this is and where to go next. */
export function serviceDescription(publicUrl: string): Record<string, unknown> {
  return {
    service: 'data-api auth',
    description: 'Neon Auth compatible authentication (Better Auth): email and password, sessions, JWTs for the Data API',
    url: publicUrl,
    reference: `${publicUrl}/reference`,
    openapi: `${publicUrl}/open-api/generate-schema`,
    jwks: `${publicUrl}/.well-known/jwks.json`,
    endpoints: {
      signUp: 'POST /sign-up/email',
      signIn: 'POST /sign-in/email',
      session: 'GET /get-session',
      token: 'GET /token',
      anonymousToken: 'GET /token/anonymous',
      signOut: 'POST /sign-out',
    },
  }
}

function corsHeaders(req: IncomingMessage, deps: AuthHttpDeps): Record<string, string> {
  const origin = req.headers.origin
  if (origin === undefined || !isTrustedOrigin(origin, deps.settings, deps.ownOrigin)) return { Vary: 'Origin' }
  return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true', Vary: 'Origin' }
}

/** The peer address; behind trusted proxies, their X-Forwarded-For chain too (Better Auth strips trusted hops). */
function clientAddress(req: IncomingMessage, trustedProxies: readonly string[]): string {
  const peer = req.socket.remoteAddress ?? ''
  if (trustedProxies.length === 0) return peer
  const forwarded = req.headers['x-forwarded-for']
  const chain = Array.isArray(forwarded) ? forwarded.join(', ') : (forwarded ?? '')
  return chain.trim() === '' ? peer : `${chain}, ${peer}`
}

function json(res: ServerResponse, status: number, headers: Record<string, string>, value: unknown, head = false): void {
  const body = Buffer.from(JSON.stringify(value))
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(body.length) })
  res.end(head ? undefined : body)
}

/**
 * Better Auth's reference page loads its script from a CDN; this one is served from the bundled copy.
 * "Try it" goes to the service's path on whatever origin the page was opened from.
 */
function reference(path: string, basePath: string, acceptEncoding: string | undefined): Promise<HttpResponse> {
  if (path !== '/reference') return referenceScriptResponse(acceptEncoding)
  return Promise.resolve(
    referencePageResponse({
      title: 'Auth API',
      path: `${basePath}/reference`,
      specUrl: `${basePath}/open-api/generate-schema`,
      servers: [{ url: basePath, description: 'this auth service' }],
    }),
  )
}

function send(res: ServerResponse, response: HttpResponse, cors: Record<string, string>, head: boolean): void {
  const body = response.body ?? Buffer.alloc(0)
  res.writeHead(response.status, { ...response.headers, ...cors, 'Content-Length': String(body.length) })
  res.end(head ? undefined : body)
}

export async function handleAuthHttp(req: IncomingMessage, res: ServerResponse, deps: AuthHttpDeps): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase()
  const cors = corsHeaders(req, deps)

  if (method === 'OPTIONS') {
    const headers: Record<string, string> = { ...cors }
    if ('Access-Control-Allow-Origin' in cors && req.headers['access-control-request-method'] !== undefined) {
      headers['Access-Control-Allow-Methods'] = 'GET, POST, OPTIONS'
      const requested = req.headers['access-control-request-headers']
      headers['Access-Control-Allow-Headers'] = requested ? `Content-Type, Authorization, ${requested}` : 'Content-Type, Authorization'
      headers['Access-Control-Max-Age'] = '86400'
    }
    res.writeHead(204, headers)
    res.end()
    return
  }
  if ('Access-Control-Allow-Origin' in cors) cors['Access-Control-Expose-Headers'] = EXPOSE

  let body: Buffer | undefined
  if (method !== 'GET' && method !== 'HEAD') {
    try {
      body = await readBody(req, MAX_BODY_BYTES)
    } catch (err) {
      if (err instanceof BodyTooLarge) return json(res, 413, cors, { code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' })
      throw err
    }
  }

  const url = new URL(req.url ?? '/', 'http://auth.invalid')
  const path = servicePath(url.pathname, deps.basePath) ?? url.pathname
  if (path === '/' && (method === 'GET' || method === 'HEAD')) {
    return json(res, 200, cors, serviceDescription(`${deps.ownOrigin}${deps.basePath}`), method === 'HEAD')
  }
  if ((path === '/reference' || path === `/reference/${REFERENCE_SCRIPT}`) && (method === 'GET' || method === 'HEAD')) {
    return send(res, await reference(path, deps.basePath, req.headers['accept-encoding']), cors, method === 'HEAD')
  }
  url.pathname = `${deps.basePath}${path === '/.well-known/jwks.json' ? '/jwks' : path}`
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || SKIP_REQUEST_HEADERS.has(name)) continue
    if (Array.isArray(value)) for (const v of value) headers.append(name, v)
    else headers.set(name, value)
  }
  headers.set(CLIENT_IP_HEADER, clientAddress(req, deps.settings.trustedProxies))
  // Node's fetch sends Sec-Fetch-Mode but never Origin, and Better Auth takes fetch metadata for a
  // browser and then insists on an Origin. Browsers always send Origin with the requests this check
  // is about (POSTs), so without Origin and Referer the metadata is dropped and the request is
  // treated like any other non-browser client's.
  if (!headers.has('origin') && !headers.has('referer')) for (const name of ['sec-fetch-site', 'sec-fetch-mode', 'sec-fetch-dest', 'sec-fetch-user']) headers.delete(name)
  const request = new Request(`${deps.ownOrigin}${url.pathname}${url.search}`, {
    method,
    headers,
    body: body && body.length > 0 ? new Uint8Array(body) : undefined,
  })

  const response = await deps.auth.handler(request)
  const out: Record<string, string | string[]> = {}
  response.headers.forEach((value, name) => {
    if (!SKIP_RESPONSE_HEADERS.has(name)) out[name] = value
  })
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) out['set-cookie'] = cookies
  Object.assign(out, cors)
  const payload = Buffer.from(await response.arrayBuffer())
  if (response.status !== 204 && response.status !== 304) out['content-length'] = String(payload.length)
  res.writeHead(response.status, out)
  res.end(method === 'HEAD' || payload.length === 0 ? undefined : payload)
}
