/**
 * The API reference pages, served from the bundled Scalar: the Data API's at /{db}/rest/reference and
 * the auth service's at {auth}/reference. Over HTTP: exact headers (CSP), the script, no CDN, no
 * table shadowed. In Chromium, offline (every request to another origin is refused and recorded):
 * the pages render, break no CSP rule, and "try it" sends requests that succeed.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REFERENCE_CSP } from '../src/server/reference-page.js'
import { authSettings } from './support/auth-helpers.js'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

const CHROMIUM = '/usr/bin/chromium'
const bundle = readFileSync(createRequire(import.meta.url).resolve('@scalar/api-reference/browser/standalone.js'))

const SCHEMA = `
create table items (id int primary key, name text);
insert into items values (1, 'first');
create table reference (id int primary key, note text);
insert into reference values (1, 'a table named reference');
grant usage on schema public to anonymous;
grant select on items, reference to anonymous;
`

describe.each(backends)('API reference pages on %s', (backend) => {
  let s: TestServer
  let page: string
  let auth: string
  beforeAll(async () => {
    s = await startTestServer(backend, { authService: authSettings() })
    await s.sql(SCHEMA)
    page = `${s.app.url}/${s.app.db.name}/rest/reference`
    auth = s.authUrl!
  })
  afterAll(async () => s?.close())

  describe('over HTTP', () => {
    it('serves the Data API reference page with its CSP, configured to load the API’s own document', async () => {
      const res = await fetch(page)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
      expect(res.headers.get('content-security-policy')).toBe(REFERENCE_CSP)
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      const html = await res.text()
      expect(html).toContain(`<script src="/${s.app.db.name}/rest/reference/api-reference.js"></script>`)
      expect(html).toContain(`data-url="/${s.app.db.name}/rest/v1/"`)
      expect(html).not.toMatch(/https?:\/\//)
    })

    it('serves the bundled script, gzipped when the client accepts it', async () => {
      const plain = await fetch(`${page}/api-reference.js`, { headers: { 'Accept-Encoding': 'identity' } })
      expect(plain.status).toBe(200)
      expect(plain.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
      expect(plain.headers.get('cache-control')).toBe('public, max-age=86400')
      expect(Buffer.from(await plain.arrayBuffer()).equals(bundle)).toBe(true)
      // fetch would decompress by itself; ask with node:http semantics through a raw header check
      const { request } = await import('node:http')
      const zipped = await new Promise<{ status: number; encoding: string | undefined; body: Buffer }>((resolve, reject) => {
        request(`${page}/api-reference.js`, { headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => resolve({ status: res.statusCode!, encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }))
        })
          .on('error', reject)
          .end()
      })
      expect(zipped.status).toBe(200)
      expect(zipped.encoding).toBe('gzip')
      expect(gunzipSync(zipped.body).equals(bundle)).toBe(true)
    })

    it('answers GET and HEAD only', async () => {
      const res = await fetch(page, { method: 'POST' })
      expect(res.status).toBe(405)
      expect(res.headers.get('allow')).toBe('GET, HEAD')
      expect(await res.json()).toEqual({ message: 'Only GET and HEAD are allowed on the API reference' })
      const head = await fetch(page, { method: 'HEAD' })
      expect(head.status).toBe(200)
      expect(await head.text()).toBe('')
    })

    it('shadows no table: /rest/v1/reference is still the table', async () => {
      const res = await fetch(`${s.base}/reference`)
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual([{ id: 1, note: 'a table named reference' }])
    })

    it('serves the auth reference from the bundle too, not from a CDN', async () => {
      for (const url of [`${auth}/reference`, `${auth}/api/auth/reference`]) {
        const res = await fetch(url)
        expect(res.status).toBe(200)
        expect(res.headers.get('content-security-policy')).toBe(REFERENCE_CSP)
        const html = await res.text()
        const base = new URL(auth).pathname
        expect(html).toContain(`<script src="${base}/reference/api-reference.js"></script>`)
        expect(html).toContain(`data-url="${base}/open-api/generate-schema"`)
        expect(html).not.toMatch(/https?:\/\//)
      }
      const script = await fetch(`${auth}/reference/api-reference.js`)
      expect(script.status).toBe(200)
      expect(Buffer.from(await script.arrayBuffer()).equals(bundle)).toBe(true)
    })
  })

  describe.skipIf(!existsSync(CHROMIUM))('in Chromium, offline', () => {
    let context: BrowserContext
    let profile: string
    const external: string[] = []
    const problems: string[] = []

    beforeAll(async () => {
      profile = mkdtempSync(join(tmpdir(), 'data-api-chromium-'))
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      })
      const origin = new URL(s.app.url).origin
      // no network: anything not served by this server is refused (and noted)
      await context.route('**/*', async (route) => {
        const url = route.request().url()
        if (url.startsWith(`${origin}/`) || url.startsWith('data:')) return route.continue()
        external.push(url)
        return route.abort('internetdisconnected')
      })
    })
    afterAll(async () => {
      await context?.close()
      if (profile) rmSync(profile, { recursive: true, force: true })
    })

    async function open(url: string): Promise<Page> {
      const tab = await context.newPage()
      tab.on('console', (m) => {
        if (m.type() === 'error' || /Content Security Policy|Refused to/.test(m.text())) problems.push(m.text())
      })
      tab.on('pageerror', (err) => problems.push(err.message))
      await tab.goto(url)
      return tab
    }

    it('renders the Data API reference and "try it" reads the table', async () => {
      const tab = await open(page)
      await tab.getByText('items', { exact: true }).first().click()
      await tab.getByRole('button', { name: /Test Request\s*\(get \/items\)/ }).click()
      const answered = tab.waitForResponse((r) => new URL(r.url()).pathname === `/${s.app.db.name}/rest/v1/items`)
      await tab.getByRole('button', { name: /Send get request to/ }).click()
      const response = await answered
      expect(response.status()).toBe(200)
      expect(await response.json()).toEqual([{ id: 1, name: 'first' }])
      await tab.close()
      expect(external).toEqual([])
      expect(problems).toEqual([])
    })

    it('renders the auth reference and "try it" asks for the session', async () => {
      const tab = await open(`${auth}/reference`)
      await tab.getByRole('button', { name: /^\/get-session\s*HTTP Method:\s*GET$/i }).first().click()
      await tab.getByRole('button', { name: /Test Request\s*\(get \/get-session\)/ }).click()
      const answered = tab.waitForResponse((r) => new URL(r.url()).pathname === `${new URL(auth).pathname}/get-session`)
      await tab.getByRole('button', { name: /Send get request to/ }).click()
      const response = await answered
      expect(response.status()).toBe(200)
      expect(await response.json()).toBeNull()
      await tab.close()
      expect(external).toEqual([])
      expect(problems).toEqual([])
    })
  })
})
