/**
 * The web console over HTTP: the page and its hashed files (headers, caching, CSP), the one-time
 * sign-in link and the sign-in form (the session cookie's attributes), and the session as a way
 * into the management API (CSRF checks, 401 without it). The same in Chromium: console.test.ts.
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { request } from 'node:http'
import { promisify } from 'node:util'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CONSOLE_CSP, consoleDir } from '../src/server/console-assets.js'
import { cleanEnv } from './support/clean-env.js'
import { databaseUrl } from './support/temp-postgres.js'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

const ADMIN_KEY = 'test-admin-key-0123456789'
const SESSION_COOKIE = /^data_api_console=(session\.\d+\.[\w-]{22}\.[\w-]{22}); Path=\/api\/v2; Max-Age=43200; HttpOnly; SameSite=Strict$/
const UNAUTHORIZED = { code: 'UNAUTHORIZED', message: 'A valid admin key is required (Authorization: Bearer <admin key>).' }
const CONSOLE = { 'X-Data-API-Console': '1' }

if (!existsSync(`${consoleDir()}/index.html`)) throw new Error('The web console is not built: run `npm run build` (or `npm run build:console`) first.')

/** A raw GET whose path fetch() would not normalize, and whose body it would not decompress. */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }))
    })
      .on('error', reject)
      .end()
  })
}

describe.each(backends)('web console over HTTP on %s', (backend) => {
  let s: TestServer
  let url: string
  beforeAll(async () => {
    s = await startTestServer(backend)
    url = s.app.url
  })
  afterAll(async () => s?.close())

  const signedIn = async (): Promise<string> => {
    const res = await fetch(s.app.consoleLink()!, { redirect: 'manual' })
    return SESSION_COOKIE.exec(res.headers.get('set-cookie') ?? '')![1]!
  }
  const api = (path: string, cookie: string | undefined, init: RequestInit = {}) =>
    fetch(`${url}/api/v2${path}`, { ...init, headers: { ...(cookie ? { Cookie: `data_api_console=${cookie}` } : {}), ...(init.headers as Record<string, string>) } })

  describe('the page and its files', () => {
    it('serves the page at /console and /console/ with its CSP, never cached without asking', async () => {
      for (const path of ['/console', '/console/']) {
        const res = await fetch(`${url}${path}`)
        expect(res.status).toBe(200)
        expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
        expect(res.headers.get('cache-control')).toBe('no-cache')
        expect(res.headers.get('content-security-policy')).toBe(CONSOLE_CSP)
        expect(res.headers.get('x-content-type-options')).toBe('nosniff')
        expect(res.headers.get('referrer-policy')).toBe('no-referrer')
        expect(res.headers.get('x-frame-options')).toBe('DENY')
        expect(res.headers.get('access-control-allow-origin')).toBeNull()
        const html = await res.text()
        expect(html).toMatch(/<script type="module" crossorigin src="\/console\/assets\/index-[\w-]+\.js"><\/script>/)
        // no inline script, nothing from elsewhere
        expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/)
        expect(html).not.toMatch(/https?:\/\//)
      }
    })

    it('answers 304 to a browser that has this build', async () => {
      const first = await fetch(`${url}/console/`)
      const etag = first.headers.get('etag')!
      expect(etag).toMatch(/^"[\w-]+"$/)
      const again = await fetch(`${url}/console/`, { headers: { 'If-None-Match': etag } })
      expect(again.status).toBe(304)
      expect(again.headers.get('content-security-policy')).toBe(CONSOLE_CSP)
    })

    it('serves the hashed files for a year, gzipped when asked, and nothing else below assets/', async () => {
      const html = await (await fetch(`${url}/console/`)).text()
      const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)![1]!
      const style = /href="(\/console\/assets\/[^"]+\.css)"/.exec(html)![1]!
      const plain = await rawGet(`${url}${script}`)
      expect(plain.status).toBe(200)
      expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8')
      expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable')
      expect(plain.headers['content-encoding']).toBeUndefined()
      const zipped = await rawGet(`${url}${script}`, { 'Accept-Encoding': 'gzip, br' })
      expect(zipped.headers['content-encoding']).toBe('gzip')
      expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true)
      expect((await rawGet(`${url}${style}`)).headers['content-type']).toBe('text/css; charset=utf-8')
      for (const path of ['/console/assets/nope.js', '/console/assets/../index.html', '/console/assets/%2e%2e%2findex.html', '/console/assets/']) {
        const res = await rawGet(`${url}${path}`)
        expect(res.status, path).toBe(404)
      }
    })

    it('answers GET and HEAD only on the page', async () => {
      const res = await fetch(`${url}/console/`, { method: 'POST' })
      expect(res.status).toBe(405)
      expect(res.headers.get('allow')).toBe('GET, HEAD')
    })

    it('leaves every other path below /console alone (a database named console keeps its API)', async () => {
      const res = await fetch(`${url}/console/rest/v1/items`)
      expect(res.status).toBe(404)
      expect(((await res.json()) as { code: string }).code).toBe('PGRST125')
    })
  })

  describe('signing in', () => {
    it('turns the one-time link into an HttpOnly, SameSite=Strict cookie for /api/v2, once', async () => {
      const link = s.app.consoleLink()!
      expect(link).toMatch(new RegExp(`^${url}/console/login\\?token=login\\.`))
      expect((await fetch(link, { method: 'HEAD', redirect: 'manual' })).status).toBe(405)
      const first = await fetch(link, { redirect: 'manual' })
      expect(first.status).toBe(303)
      expect(first.headers.get('location')).toBe('/console/')
      expect(first.headers.get('cache-control')).toBe('no-store')
      expect(first.headers.get('set-cookie')).toMatch(SESSION_COOKIE)
      const again = await fetch(link, { redirect: 'manual' })
      expect(again.status).toBe(303)
      expect(again.headers.get('location')).toBe('/console/?signin=link-invalid')
      expect(again.headers.get('set-cookie')).toBeNull()
      const forged = await fetch(`${url}/console/login?token=login.9999999999.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA`, { redirect: 'manual' })
      expect(forged.headers.get('location')).toBe('/console/?signin=link-invalid')
    })

    it('makes a new link with `data-api console` and the admin key', async () => {
      const { stdout } = await promisify(execFile)('node', ['--import', 'tsx', 'src/cli/main.ts', 'console', '--url', url, '--admin-key', ADMIN_KEY], {
        env: cleanEnv(),
        cwd: process.cwd(),
      })
      const link = stdout.trim()
      expect(link).toMatch(new RegExp(`^${url}/console/login\\?token=login\\.[\\w.-]+$`))
      const res = await fetch(link, { redirect: 'manual' })
      expect(res.headers.get('location')).toBe('/console/')
      expect(res.headers.get('set-cookie')).toMatch(SESSION_COOKIE)
    })

    it('signs in with the admin key from the form', async () => {
      const res = await fetch(`${url}/console/session`, { method: 'POST', headers: { ...CONSOLE, 'Content-Type': 'application/json' }, body: JSON.stringify({ admin_key: ADMIN_KEY }) })
      expect(res.status).toBe(200)
      expect(res.headers.get('set-cookie')).toMatch(SESSION_COOKIE)
      const body = (await res.json()) as { expires_at: string }
      expect(Date.parse(body.expires_at) - Date.now()).toBeGreaterThan(11 * 3600 * 1000)
    })

    it('refuses a wrong key, a body that is not the form’s, and a request from another site', async () => {
      const post = (body: string, headers: Record<string, string> = CONSOLE) =>
        fetch(`${url}/console/session`, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body })
      const wrong = await post(JSON.stringify({ admin_key: 'nope' }))
      expect(wrong.status).toBe(401)
      expect(await wrong.json()).toEqual({ code: 'UNAUTHORIZED', message: 'That is not the admin key of this server.' })
      expect(wrong.headers.get('set-cookie')).toBeNull()
      const bad = await post('{')
      expect(bad.status).toBe(400)
      expect(await bad.json()).toEqual({ code: 'INVALID_REQUEST', message: 'Send {"admin_key": "<the admin key>"}.' })
      const forged = await post(JSON.stringify({ admin_key: ADMIN_KEY }), {})
      expect(forged.status).toBe(403)
      expect(await forged.json()).toEqual({ code: 'FORBIDDEN', message: 'Console requests carry the header X-Data-API-Console: 1.' })
      const crossSite = await post(JSON.stringify({ admin_key: ADMIN_KEY }), { ...CONSOLE, Origin: 'https://evil.example' })
      expect(crossSite.status).toBe(403)
    })

    it('signs out by clearing the cookie', async () => {
      const res = await fetch(`${url}/console/session`, { method: 'DELETE', headers: CONSOLE })
      expect(res.status).toBe(204)
      expect(res.headers.get('set-cookie')).toBe('data_api_console=; Path=/api/v2; Max-Age=0; HttpOnly; SameSite=Strict')
      expect((await fetch(`${url}/console/session`, { method: 'DELETE' })).status).toBe(403)
      expect((await fetch(`${url}/console/session`)).status).toBe(405)
    })
  })

  describe('the session in the management API', () => {
    it('reads and changes through the API with the cookie and the console header', async () => {
      const cookie = await signedIn()
      const projects = await api('/projects', cookie, { headers: CONSOLE })
      expect(projects.status).toBe(200)
      expect(((await projects.json()) as { projects: { id: string }[] }).projects[0]!.id).toBe('local')
      const same = await api('/projects', cookie, { headers: { ...CONSOLE, Origin: url, 'Sec-Fetch-Site': 'same-origin' } })
      expect(same.status).toBe(200)
      const refresh = await api(`/projects/local/branches/main/data-api/${s.app.db.name}`, cookie, {
        method: 'PATCH',
        headers: { ...CONSOLE, 'Content-Type': 'application/json' },
        body: '{}',
      })
      expect(refresh.status).toBe(201)
      expect(await refresh.json()).toEqual({})
    })

    it('refuses a cookie-borne request without the header, or from another site', async () => {
      const cookie = await signedIn()
      const cases: [Record<string, string>, string][] = [
        [{}, 'Console requests carry the header X-Data-API-Console: 1.'],
        [{ ...CONSOLE, 'Sec-Fetch-Site': 'cross-site' }, 'Console requests come from the console’s own origin.'],
        [{ ...CONSOLE, 'Sec-Fetch-Site': 'same-site' }, 'Console requests come from the console’s own origin.'],
        [{ ...CONSOLE, Origin: 'https://evil.example' }, 'Console requests come from the console’s own origin.'],
        [{ ...CONSOLE, Origin: 'null' }, 'Console requests come from the console’s own origin.'],
      ]
      for (const [headers, message] of cases) {
        const res = await api(`/projects/local/branches/main/data-api/${s.app.db.name}`, cookie, { method: 'DELETE', headers })
        expect(res.status, JSON.stringify(headers)).toBe(403)
        expect(await res.json()).toEqual({ code: 'FORBIDDEN', message })
      }
      // still enabled: none of them got through
      expect((await api(`/projects/local/branches/main/data-api/${s.app.db.name}`, cookie, { headers: CONSOLE })).status).toBe(200)
    })

    it('answers 401 without a session, with a forged one, and keeps the cookie out of /metrics and /mcp', async () => {
      for (const cookie of [undefined, 'session.9999999999.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA', 'garbage']) {
        const res = await api('/projects', cookie, { headers: CONSOLE })
        expect(res.status).toBe(401)
        expect(await res.json()).toEqual(UNAUTHORIZED)
      }
      const cookie = await signedIn()
      const headers = { ...CONSOLE, Cookie: `data_api_console=${cookie}` }
      expect((await fetch(`${url}/metrics`, { headers })).status).toBe(401)
      expect((await fetch(`${url}/mcp`, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: '{}' })).status).toBe(401)
    })

    it('still takes the Bearer admin key alone', async () => {
      const res = await api('/projects', undefined, { headers: { Authorization: `Bearer ${ADMIN_KEY}` } })
      expect(res.status).toBe(200)
    })
  })
})

describe.skipIf(!databaseUrl)('web console on PostgreSQL without an admin key', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer('postgres', { adminKey: undefined })
  })
  afterAll(async () => s?.close())

  it('prints no link and says why nobody can sign in', async () => {
    expect(s.app.consoleLink()).toBeUndefined()
    expect((await fetch(`${s.app.url}/console/`)).status).toBe(200)
    const res = await fetch(`${s.app.url}/console/session`, { method: 'POST', headers: { ...CONSOLE, 'Content-Type': 'application/json' }, body: JSON.stringify({ admin_key: 'anything' }) })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ code: 'UNAUTHORIZED', message: 'This server has no admin key: set DATA_API_ADMIN_KEY to use the console.' })
    const link = await fetch(`${s.app.url}/console/login?token=login.9999999999.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA`, { redirect: 'manual' })
    expect(link.headers.get('location')).toBe('/console/?signin=link-invalid')
  })
})
