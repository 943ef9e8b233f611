/**
 * The HTTP listener: routes /{db}/rest/v1/* to the REST pipeline, /admin/v1/* to the admin API,
 * /live, /ready to health checks and /metrics to Prometheus, adds CORS, and writes HttpResponses.
 * No framework: the request path stays a few function calls long.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { timingSafeEqual } from 'node:crypto'
import { handleAdminRequest, type AdminDeps } from '../admin/admin-routes.js'
import type { AuthService } from '../auth-service/auth-service.js'
import { errors } from '../errors/catalog.js'
import { renderError } from '../errors/render-error.js'
import { handleRestRequest, type RestDeps } from '../rest/handle-request.js'
import type { HttpResponse } from '../rest/response/http-response.js'
import { corsHeaders } from './cors.js'
import type { HttpMetrics } from './http-metrics.js'
import { BodyTooLarge, readBody } from './read-body.js'
import { dataApiReference } from './reference-page.js'

/** What /metrics needs: the listener's own counters, and the exposition of every counter. */
export type ServerMetrics = Readonly<{ http: HttpMetrics; render: () => Promise<string> }>

/**
 * authService: the built-in auth service at /{db}/auth (it writes its own responses and CORS).
 * metrics: counts every answer and serves /metrics (admin key required).
 */
export type ServerDeps = RestDeps & AdminDeps & { authService?: AuthService; metrics?: ServerMetrics }

const REST_PREFIX = '/rest/v1'

export function createServer(deps: ServerDeps): Server {
  return createHttpServer((req, res) => {
    const started = performance.now()
    const auth = deps.authService
    if (auth?.handles((req.url ?? '/').split('?', 1)[0]!)) {
      const http = deps.metrics?.http
      if (http) res.once('finish', () => http.observe(req.method, res.statusCode, (performance.now() - started) / 1000))
      auth.handle(req, res).catch((err: unknown) => {
        deps.onInternalError(err)
        if (res.headersSent) res.destroy()
        else write(req, res, deps, json(500, { message: 'Internal server error' }), undefined)
      })
      return
    }
    route(deps, req).then(
      (response) => write(req, res, deps, response, started),
      (err: unknown) => {
        deps.onInternalError(err)
        write(req, res, deps, renderError(errors.internal('Internal server error')), started)
      },
    )
  })
}

async function route(deps: ServerDeps, req: IncomingMessage): Promise<HttpResponse> {
  const url = req.url ?? '/'
  const q = url.indexOf('?')
  const path = q === -1 ? url : url.slice(0, q)
  const query = q === -1 ? '' : url.slice(q + 1)
  const method = req.method ?? 'GET'

  if (path === '/live') return text(200, 'ok')
  if (path === '/ready') return deps.schemaCache.current() ? text(200, 'ready') : text(503, 'loading schema cache')
  if (path === '/metrics' && deps.metrics) {
    if (!isAdmin(deps, req)) return adminKeyRequired()
    if (method !== 'GET' && method !== 'HEAD') return json(405, { message: 'Only GET and HEAD are allowed on /metrics' })
    const body = Buffer.from(await deps.metrics.render())
    return { status: 200, headers: { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }, body }
  }
  if (path.startsWith('/admin/v1/')) {
    if (!isAdmin(deps, req)) return adminKeyRequired()
    if (path === '/admin/v1/auth/rotate-keys' && method === 'POST' && deps.authService) {
      return json(200, await deps.authService.rotateKeys({ revoke: query.split('&').includes('revoke=true') }))
    }
    const body = method === 'GET' || method === 'HEAD' ? undefined : await readBody(req, 50 * 1024 * 1024).catch(() => undefined)
    return handleAdminRequest(deps, method, path.slice('/admin/v1'.length), body)
  }

  const reference = dataApiReference(deps.db.name, method, path, req.headers['accept-encoding'])
  if (reference) return reference
  const slash = path.indexOf('/', 1)
  const dbName = safeDecode(path.slice(1, slash === -1 ? undefined : slash))
  const rest = slash === -1 ? '' : path.slice(slash)
  if (dbName !== deps.db.name || !(rest === REST_PREFIX || rest.startsWith(`${REST_PREFIX}/`))) {
    return json(404, { code: 'PGRST125', details: null, hint: null, message: 'Invalid path specified in request URL' })
  }
  let body: Buffer | undefined
  if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') {
    try {
      body = await readBody(req, deps.config.maxBodyBytes)
    } catch (err) {
      if (err instanceof BodyTooLarge) return json(413, { code: 'PGRST413', details: null, hint: null, message: 'Request body is too large' })
      throw err
    }
  }
  return handleRestRequest(deps, { method, path: rest.slice(REST_PREFIX.length) || '/', query, headers: req.headers, body })
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

function isAdmin(deps: ServerDeps, req: IncomingMessage): boolean {
  const key = deps.adminKey
  if (!key) return false
  const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')
  if (!match) return false
  const given = Buffer.from(match[1]!.trim())
  const expected = Buffer.from(key)
  return given.length === expected.length && timingSafeEqual(given, expected)
}

function adminKeyRequired(): HttpResponse {
  return json(401, { message: 'A valid admin key is required (Authorization: Bearer <admin key>).' })
}

function text(status: number, body: string): HttpResponse {
  return { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: Buffer.from(body) }
}

export function json(status: number, value: unknown): HttpResponse {
  return { status, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: Buffer.from(JSON.stringify(value)) }
}

/** started: when the request arrived (performance.now()), to count it; undefined when already counted */
function write(req: IncomingMessage, res: ServerResponse, deps: ServerDeps, response: HttpResponse, started: number | undefined): void {
  const origin = req.headers.origin
  const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined
  const cors = corsHeaders(origin, deps.config.corsOrigins, preflight ? { requestHeaders: req.headers['access-control-request-headers'] } : undefined)
  const headers: Record<string, string> = { ...response.headers, ...cors }
  if (response.body !== undefined) headers['Content-Length'] = String(response.body.length)
  res.writeHead(response.status, headers)
  if (req.method === 'HEAD' || response.body === undefined) res.end()
  else res.end(response.body)
  if (started !== undefined) deps.metrics?.http.observe(req.method, response.status, (performance.now() - started) / 1000)
}
