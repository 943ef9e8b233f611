/**
 * The web console's own routes, and its session as a way into the management API.
 *
 *   GET  /console, /console/          the page (the console routes in the URL's #fragment)
 *   GET  /console/assets/{file}       its hashed script, styles and icon
 *   GET  /console/login?token=...     a one-time sign-in link (the banner prints one) → session cookie
 *   POST /console/session             {"admin_key": "..."} (the sign-in form) → session cookie
 *   DELETE /console/session           signs out
 *
 * The session cookie is HttpOnly, SameSite=Strict and sent only to /api/v2, where it stands in for
 * the Bearer admin key. A request it authenticates must also carry `X-Data-API-Console: 1` (which
 * no other site can add without a CORS preflight this server never grants) and, where the browser
 * says where it comes from (Sec-Fetch-Site, Origin), come from this origin: cross-site request
 * forgery needs all three to fail. Every other path below /console (/console/rest/v1 of a database
 * named "console", for instance) is not the console's.
 */
import type { IncomingMessage } from 'node:http'
import type { HttpResponse } from '../rest/response/http-response.js'
import { consoleAsset, consolePage } from './console-assets.js'
import { SESSION_SECONDS, type ConsoleSessions, type Session } from './console-session.js'

export const CONSOLE_PREFIX = '/console'
export const SESSION_COOKIE = 'data_api_console'
/** The header every console request carries (the CSRF check). */
export const CONSOLE_HEADER = 'x-data-api-console'
/** The cookie is sent with management API calls only. */
const COOKIE_PATH = '/api/v2'
const ASSETS = `${CONSOLE_PREFIX}/assets/`
const MAX_SIGN_IN_BYTES = 4096

export type ConsoleRoutes = Readonly<{
  /** The answer for a console path; undefined for any other path. */
  handle: (req: IncomingMessage, path: string, query: string, readBody: (limit: number) => Promise<Buffer>) => Promise<HttpResponse> | undefined
  /**
   * For a management API request without the admin key: 'session' when a console session
   * authenticates it, 'none' when it has no valid session cookie, or the 403 answer when it has one
   * but fails the cross-site checks.
   */
  authorize: (req: IncomingMessage) => 'session' | 'none' | HttpResponse
}>

export type ConsoleRoutesOptions = Readonly<{
  /** undefined: the server has no admin key, so nobody can sign in */
  sessions: ConsoleSessions | undefined
  /** the public URL clients reach the server at (DATA_API_PUBLIC_URL), also accepted as Origin; https → Secure cookie */
  publicUrl: string | undefined
}>

function json(status: number, value: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers },
    body: Buffer.from(JSON.stringify(value)),
  }
}

function redirect(location: string, headers: Record<string, string> = {}): HttpResponse {
  return { status: 303, headers: { Location: location, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', ...headers }, body: undefined }
}

function methodNotAllowed(allow: string): HttpResponse {
  return json(405, { code: 'METHOD_NOT_ALLOWED', message: `Use ${allow} here.` }, { Allow: allow })
}

/** The value of one cookie of a request. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

/** Whether a path is one of the console's own (the page, its files, sign-in and session). */
export function isConsolePath(path: string): boolean {
  return path === CONSOLE_PREFIX || path === `${CONSOLE_PREFIX}/` || path.startsWith(ASSETS) || path === `${CONSOLE_PREFIX}/login` || path === `${CONSOLE_PREFIX}/session`
}

export function createConsoleRoutes(options: ConsoleRoutesOptions): ConsoleRoutes {
  const { sessions } = options
  const secure = options.publicUrl?.startsWith('https:') === true
  const publicHost = options.publicUrl ? new URL(options.publicUrl).host : undefined

  const cookie = (session: Session | undefined): string =>
    [
      `${SESSION_COOKIE}=${session?.token ?? ''}`,
      `Path=${COOKIE_PATH}`,
      `Max-Age=${session ? SESSION_SECONDS : 0}`,
      'HttpOnly',
      'SameSite=Strict',
      ...(secure ? ['Secure'] : []),
    ].join('; ')

  /** Why a request is not one the console itself made; undefined when it is. */
  const crossSite = (req: IncomingMessage): string | undefined => {
    if (req.headers[CONSOLE_HEADER] !== '1') return `Console requests carry the header X-Data-API-Console: 1.`
    const site = req.headers['sec-fetch-site']
    if (site !== undefined && site !== 'same-origin') return 'Console requests come from the console’s own origin.'
    const origin = req.headers.origin
    if (origin !== undefined) {
      let host: string | undefined
      try {
        host = new URL(origin).host
      } catch {
        host = undefined
      }
      if (host === undefined || (host !== req.headers.host && host !== publicHost)) return 'Console requests come from the console’s own origin.'
    }
    return undefined
  }

  const forbidden = (message: string) => json(403, { code: 'FORBIDDEN', message })

  async function signIn(req: IncomingMessage, readBody: (limit: number) => Promise<Buffer>): Promise<HttpResponse> {
    const problem = crossSite(req)
    if (problem) return forbidden(problem)
    let key: unknown
    try {
      key = (JSON.parse((await readBody(MAX_SIGN_IN_BYTES)).toString('utf8')) as { admin_key?: unknown } | null)?.admin_key
    } catch {
      key = undefined
    }
    if (typeof key !== 'string' || key.trim() === '') return json(400, { code: 'INVALID_REQUEST', message: 'Send {"admin_key": "<the admin key>"}.' })
    if (!sessions) return json(401, { code: 'UNAUTHORIZED', message: 'This server has no admin key: set DATA_API_ADMIN_KEY to use the console.' })
    const session = sessions.signIn(key)
    if (!session) return json(401, { code: 'UNAUTHORIZED', message: 'That is not the admin key of this server.' })
    return json(200, { expires_at: new Date(session.expires * 1000).toISOString() }, { 'Set-Cookie': cookie(session) })
  }

  async function redeem(query: string): Promise<HttpResponse> {
    const token = new URLSearchParams(query).get('token') ?? ''
    const session = sessions && token ? await sessions.redeem(token) : undefined
    if (!session) return redirect(`${CONSOLE_PREFIX}/?signin=link-invalid`)
    return redirect(`${CONSOLE_PREFIX}/`, { 'Set-Cookie': cookie(session) })
  }

  return {
    handle(req, path, query, readBody) {
      if (!isConsolePath(path)) return undefined
      const method = req.method ?? 'GET'
      const read = method === 'GET' || method === 'HEAD'
      if (path === CONSOLE_PREFIX || path === `${CONSOLE_PREFIX}/`) {
        return read ? consolePage(req.headers['accept-encoding'], req.headers['if-none-match']) : Promise.resolve(methodNotAllowed('GET, HEAD'))
      }
      if (path.startsWith(ASSETS)) {
        const name = path.slice(ASSETS.length)
        return read ? consoleAsset(name, req.headers['accept-encoding']) : Promise.resolve(methodNotAllowed('GET, HEAD'))
      }
      if (path === `${CONSOLE_PREFIX}/login`) {
        // GET only: a HEAD (a link preview) must not use the link up
        return method === 'GET' ? redeem(query) : Promise.resolve(methodNotAllowed('GET'))
      }
      if (path === `${CONSOLE_PREFIX}/session`) {
        if (method === 'POST') return signIn(req, readBody)
        if (method === 'DELETE') {
          const problem = crossSite(req)
          return Promise.resolve(problem ? forbidden(problem) : { status: 204, headers: { 'Set-Cookie': cookie(undefined), 'Cache-Control': 'no-store' }, body: undefined })
        }
        return Promise.resolve(methodNotAllowed('POST, DELETE'))
      }
      return undefined
    },

    authorize(req) {
      const token = readCookie(req.headers.cookie, SESSION_COOKIE)
      if (!sessions || !token || !sessions.isSession(token)) return 'none'
      const problem = crossSite(req)
      return problem ? forbidden(problem) : 'session'
    },
  }
}
