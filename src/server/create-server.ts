/**
 * The HTTP listener: routes /{db}/rest/v1/* to the REST pipeline of that database, /{db}/auth/* to
 * its built-in auth service, /api/v2/* to the management API, /console to the web console, /mcp to
 * the MCP server, /live and /ready to health checks and /metrics to Prometheus, adds CORS, and
 * writes HttpResponses.
 * No framework: the request path stays a few function calls long.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { timingSafeEqual } from 'node:crypto'
import { inProcessClient } from '../admin/admin-client.js'
import type { AdminContext } from '../admin/admin-context.js'
import { OPERATIONS } from '../admin/registry.js'
import { errors } from '../errors/catalog.js'
import { renderError } from '../errors/render-error.js'
import { handleMcpHttp } from '../mcp/mcp-http.js'
import { handleRestRequest } from '../rest/handle-request.js'
import type { HttpResponse } from '../rest/response/http-response.js'
import { TooManyDatabases, type DatabaseHost } from '../serving/database-host.js'
import type { ServedDatabase } from '../serving/served-database.js'
import { ClientGone } from './client-gone.js'
import { isConsolePath, type ConsoleRoutes } from './console-routes.js'
import { corsHeaders } from './cors.js'
import type { HttpMetrics } from './http-metrics.js'
import { createManagementApi, MANAGEMENT_PREFIX } from './management-api.js'
import { BodyTooLarge, ClientAborted, readBody } from './read-body.js'
import { dataApiReference } from './reference-page.js'
import { VERSION } from './version.js'

/** What /metrics needs: the listener's own counters, and the exposition of every counter. */
export type ServerMetrics = Readonly<{ http: HttpMetrics; render: () => Promise<string> }>

export type ServerDeps = Readonly<{
  host: DatabaseHost
  admin: AdminContext
  adminKey: string | undefined
  maxBodyBytes: number
  /** requests answered at once; more answer 503 */
  maxConcurrentRequests: number
  /** seconds a request has to arrive whole (408 after) */
  requestTimeoutSeconds: number
  onInternalError: (err: unknown) => void
  /** a client that went away before its request was read (not an error of ours) */
  onClientAbort?: () => void
  metrics?: ServerMetrics
  /** the web console's routes, whose session cookie also opens the management API */
  console?: ConsoleRoutes
}>

/** How long /ready waits for the database to answer before it says 503. */
export const READY_TIMEOUT_MS = 2000

/** Methods no route answers: refused before anything else (TRACE would echo headers, cookies included). */
const REFUSED_METHODS = new Set(['TRACE', 'TRACK', 'CONNECT'])

const REST_PREFIX = '/rest/v1'
const HEALTH = new Set(['/live', '/ready', '/metrics'])
const AUTH_PREFIX = '/auth'
const SLASH = 0x2f

export function createServer(deps: ServerDeps): Server {
  const management = createManagementApi(deps.admin, OPERATIONS, deps.onInternalError)
  const adminClient = inProcessClient(deps.admin, { where: 'this server' })
  let inProgress = 0
  // check for requests that have not arrived whole every second (Node's default is every 30 s)
  const server = createHttpServer({ connectionsCheckingInterval: 1000 }, (req, res) => {
    const started = performance.now()
    const http = deps.metrics?.http
    const path = (req.url ?? '/').split('?', 1)[0]!
    if (REFUSED_METHODS.has(req.method ?? '')) {
      write(req, res, deps, { ...json(405, { message: `${req.method} is not allowed` }), headers: { 'Content-Type': 'application/json; charset=utf-8', Allow: 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS' } }, started, undefined)
      return
    }
    // back-pressure: beyond the limit, answer at once rather than queue without bound
    if (inProgress >= deps.maxConcurrentRequests) {
      const busy = json(503, { code: 'PGRST003', details: null, hint: 'Too many requests at once; retry shortly', message: 'The server is busy' })
      write(req, res, deps, { ...busy, headers: { ...busy.headers, 'Retry-After': '1' } }, started, undefined)
      return
    }
    inProgress++
    res.once('close', () => inProgress--)
    if (path === '/mcp') {
      if (http) res.once('finish', () => http.observe(req.method, res.statusCode, (performance.now() - started) / 1000))
      serveMcp(deps, req, res, adminClient).catch((err: unknown) => fail(deps, req, res, err))
      return
    }
    const auth = authRoute(path)
    if (auth) {
      if (http) res.once('finish', () => http.observe(req.method, res.statusCode, (performance.now() - started) / 1000))
      serveAuth(deps, auth, req, res).catch((err: unknown) => fail(deps, req, res, err))
      return
    }
    route(deps, req, path, management).then(
      ({ response, served }) => write(req, res, deps, response, started, served),
      (err: unknown) => {
        if (err instanceof ClientAborted) {
          deps.onClientAbort?.()
          res.destroy()
          return
        }
        deps.onInternalError(err)
        write(req, res, deps, renderError(errors.internal('Internal server error')), started, undefined)
      },
    )
  })
  // a slow client: Node answers 408 and closes when the request has not arrived whole in time
  server.requestTimeout = deps.requestTimeoutSeconds * 1000
  server.headersTimeout = Math.min(10_000, server.requestTimeout)
  // CONNECT never reaches the request handler: refuse it here
  server.on('connect', (_req, socket) => {
    socket.end('HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 36\r\nConnection: close\r\n\r\n{"message":"CONNECT is not allowed"}')
  })
  return server
}

function fail(deps: ServerDeps, req: IncomingMessage, res: ServerResponse, err: unknown): void {
  deps.onInternalError(err)
  if (res.headersSent) res.destroy()
  else write(req, res, deps, json(500, { message: 'Internal server error' }), undefined, undefined)
}

/**
 * A database's part of a path: `/{db}/rest/v1/...` on main, `/branches/{branch}/{db}/rest/v1/...` on
 * a branch. `name` is the served name (`neondb`, `branches/dev/neondb`), `rest` what follows it.
 */
export function splitDatabasePath(path: string): { name: string; rest: string } {
  // every request takes this path twice: the usual `/{db}/...` without splitting the whole path
  if (path.charCodeAt(0) === SLASH && !path.startsWith('/branches')) {
    const end = path.indexOf('/', 1)
    const name = end === -1 ? path.slice(1) : path.slice(1, end)
    return { name: name.includes('%') ? safeDecode(name) : name, rest: end === -1 ? '' : path.slice(end) }
  }
  const segments = path.split('/').slice(1)
  if (segments[0] === 'branches' && segments.length >= 4 && (segments[3] === 'rest' || segments[3] === 'auth')) {
    return { name: `branches/${safeDecode(segments[1]!)}/${safeDecode(segments[2]!)}`, rest: `/${segments.slice(3).join('/')}` }
  }
  return { name: safeDecode(segments[0] ?? ''), rest: segments.length > 1 ? `/${segments.slice(1).join('/')}` : '' }
}

/** `/{db}/auth[/...]` (or a branch's) → the served name; anything else → undefined. */
function authRoute(path: string): string | undefined {
  const { name, rest } = splitDatabasePath(path)
  return rest === AUTH_PREFIX || rest.startsWith(`${AUTH_PREFIX}/`) ? name : undefined
}

async function serveAuth(deps: ServerDeps, database: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const served = await deps.host.open(database).catch((err: unknown) => {
    if (err instanceof TooManyDatabases) return undefined
    throw err
  })
  const service = served?.authService()
  if (!service) {
    write(req, res, deps, json(404, { message: `No built-in auth service for database "${database}"` }), undefined, undefined)
    return
  }
  const done = deps.host.track(database)
  try {
    await service.handle(req, res)
  } finally {
    done()
  }
}

async function serveMcp(deps: ServerDeps, req: IncomingMessage, res: ServerResponse, client: ReturnType<typeof inProcessClient>): Promise<void> {
  if (!isAdmin(deps, req)) {
    write(req, res, deps, adminKeyRequired(), undefined, undefined)
    return
  }
  let body: unknown
  if (req.method === 'POST') {
    try {
      const raw = await readBody(req, deps.maxBodyBytes)
      body = raw.length === 0 ? undefined : JSON.parse(raw.toString('utf8'))
    } catch (err) {
      const response = err instanceof BodyTooLarge ? json(413, { message: 'Request body is too large' }) : json(400, { message: 'The body is not JSON' })
      write(req, res, deps, response, undefined, undefined)
      return
    }
  }
  await handleMcpHttp(req, res, body, client, OPERATIONS, VERSION)
}

type Routed = Readonly<{ response: HttpResponse; served: ServedDatabase | undefined }>

async function route(deps: ServerDeps, req: IncomingMessage, path: string, management: ReturnType<typeof createManagementApi>): Promise<Routed> {
  const url = req.url ?? '/'
  const q = url.indexOf('?')
  const query = q === -1 ? '' : url.slice(q + 1)
  const method = req.method ?? 'GET'
  const none = (response: HttpResponse): Routed => ({ response, served: undefined })

  if (path === '/live') return none(text(200, 'ok'))
  if (path === '/ready') return none(await readiness(deps))
  if (path === '/metrics' && deps.metrics) {
    if (!isAdmin(deps, req)) return none(adminKeyRequired())
    if (method !== 'GET' && method !== 'HEAD') return none(json(405, { message: 'Only GET and HEAD are allowed on /metrics' }))
    const body = Buffer.from(await deps.metrics.render())
    return none({ status: 200, headers: { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }, body })
  }
  const consoleAnswer = deps.console?.handle(req, path, query, (limit) => readBody(req, limit))
  if (consoleAnswer) return none(await consoleAnswer)
  if (path === MANAGEMENT_PREFIX || path.startsWith(`${MANAGEMENT_PREFIX}/`)) {
    if (!isAdmin(deps, req)) {
      const session = deps.console?.authorize(req) ?? 'none'
      if (session === 'none') return none(adminKeyRequired())
      if (session !== 'session') return none(session)
    }
    let body: Buffer | undefined
    if (method !== 'GET' && method !== 'HEAD') {
      try {
        body = await readBody(req, deps.maxBodyBytes)
      } catch (err) {
        if (err instanceof BodyTooLarge) return none(json(413, { code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' }))
        throw err
      }
    }
    return none(await management.handle(method, path, query, body))
  }

  const { name: dbName, rest } = splitDatabasePath(path)
  if (rest === '/rest/reference' || rest.startsWith('/rest/reference/')) {
    const served = await deps.host.open(dbName).catch(() => undefined)
    const reference = served ? dataApiReference(dbName, method, path, req.headers['accept-encoding']) : undefined
    return none(reference ? await reference : invalidPath())
  }
  if (!(rest === REST_PREFIX || rest.startsWith(`${REST_PREFIX}/`))) return none(invalidPath())
  let served: ServedDatabase | undefined
  try {
    served = await deps.host.open(dbName)
  } catch (err) {
    if (err instanceof TooManyDatabases) return none(json(503, { code: 'PGRST003', details: err.message, hint: null, message: 'Timed out acquiring connection from connection pool.' }))
    throw err
  }
  if (!served) {
    return none(
      json(404, {
        code: 'PGRST125',
        details: `The Data API is not enabled for database "${dbName}"`,
        hint: 'An operator can enable it with: data-api create --database <name>',
        message: 'Invalid path specified in request URL',
      }),
    )
  }
  let body: Buffer | undefined
  if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') {
    try {
      body = await readBody(req, served.config().maxBodyBytes)
    } catch (err) {
      if (err instanceof BodyTooLarge) return { response: json(413, { code: 'PGRST413', details: null, hint: null, message: 'Request body is too large' }), served }
      throw err
    }
  }
  const done = deps.host.track(dbName)
  // a client that goes away before its answer: its statement is cancelled rather than left running
  const abandoned = new ClientGone()
  const onClose = () => {
    if (!req.complete || !req.socket.writable) abandoned.abort()
  }
  req.socket.once('close', onClose)
  try {
    const response = await handleRestRequest(served.rest(), { method, path: rest.slice(REST_PREFIX.length) || '/', query, headers: req.headers, body, signal: abandoned })
    return { response, served }
  } finally {
    req.socket.off('close', onClose)
    done()
  }
}

/** 200 once the default database is served and answers a query in time; 503 otherwise. */
async function readiness(deps: ServerDeps): Promise<HttpResponse> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), READY_TIMEOUT_MS)))
  try {
    const check = (async () => {
      const served = await deps.host.open(deps.host.defaultName)
      if (!served?.schemaCache.current()) return 'loading'
      await served.db.query('select 1')
      return 'ready'
    })().catch(() => 'down' as const)
    const outcome = await Promise.race([check, late])
    if (outcome === 'ready') return text(200, 'ready')
    if (outcome === 'loading') return text(503, 'loading schema cache')
    return text(503, outcome === 'late' ? `the database did not answer within ${READY_TIMEOUT_MS} ms` : 'the database is not reachable')
  } finally {
    clearTimeout(timer)
  }
}

function invalidPath(): HttpResponse {
  return json(404, { code: 'PGRST125', details: null, hint: null, message: 'Invalid path specified in request URL' })
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
  return json(401, { code: 'UNAUTHORIZED', message: 'A valid admin key is required (Authorization: Bearer <admin key>).' })
}

function text(status: number, body: string): HttpResponse {
  return { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: Buffer.from(body) }
}

export function json(status: number, value: unknown): HttpResponse {
  return { status, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: Buffer.from(JSON.stringify(value)) }
}

/** started: when the request arrived (performance.now()), to count it; undefined when already counted */
function write(
  req: IncomingMessage,
  res: ServerResponse,
  deps: ServerDeps,
  response: HttpResponse,
  started: number | undefined,
  served: ServedDatabase | undefined,
): void {
  const origin = req.headers.origin
  const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined
  // CORS is the Data API's: management, MCP, console and health answers are for same-origin callers and tools
  const path = (req.url ?? '/').split('?', 1)[0]!
  const forApi = served !== undefined || !(path.startsWith(`${MANAGEMENT_PREFIX}/`) || path === '/mcp' || HEALTH.has(path) || isConsolePath(path))
  const allowed = served ? served.config().corsOrigins : deps.admin.base.corsOrigins
  const cors = forApi ? corsHeaders(origin, allowed, preflight ? { requestHeaders: req.headers['access-control-request-headers'] } : undefined) : {}
  // CORS is decided here alone: a stage's own Access-Control-* header (an OPTIONS answer's `*`) does not pass
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(response.headers)) if (!name.toLowerCase().startsWith('access-control-')) headers[name] = value
  Object.assign(headers, cors)
  if (response.body !== undefined) headers['Content-Length'] = String(response.body.length)
  res.writeHead(response.status, headers)
  if (req.method === 'HEAD' || response.body === undefined) res.end()
  else res.end(response.body)
  if (started !== undefined) deps.metrics?.http.observe(req.method, response.status, (performance.now() - started) / 1000)
}
