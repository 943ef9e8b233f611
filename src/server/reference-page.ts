/**
 * API reference pages (Scalar) served from a bundled copy of @scalar/api-reference, so they work
 * with no network: the page is configured through attributes (no inline script), and a
 * Content-Security-Policy keeps it to this origin (no CDN, no fonts or telemetry from elsewhere;
 * "try it" requests go to the API itself).
 *
 * The Data API's page is `GET /{db}/rest/reference`: beside `/{db}/rest/v1` rather than inside it,
 * where it would shadow a table named `reference` (PostgREST serves tables at `/{table}`), and
 * named like the auth service's `/{db}/auth/reference`.
 */
import { createRequire } from 'node:module'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { gzip } from 'node:zlib'
import { promisify } from 'node:util'
import type { HttpResponse } from '../rest/response/http-response.js'
import { databasePath } from '../serving/branch-registry.js'

/** The page's script, served below the page: `{page}/api-reference.js`. */
export const REFERENCE_SCRIPT = 'api-reference.js'

export const REFERENCE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // the reference's components set styles at run time
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

export type ReferencePage = Readonly<{
  title: string
  /** the path of the page itself, e.g. `/neondb/rest/reference` (its script is below it) */
  path: string
  /** the OpenAPI document's URL, as the browser fetches it */
  specUrl: string
  /** the servers "try it" sends requests to; undefined: those of the document */
  servers?: readonly Readonly<{ url: string; description?: string }>[]
}>

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

export function referencePageHtml(page: ReferencePage): string {
  const configuration = {
    url: page.specUrl,
    ...(page.servers ? { servers: page.servers } : {}),
    withDefaultFonts: false,
    telemetry: false,
    agent: { disabled: true },
    showDeveloperTools: 'never',
    metaData: { title: page.title },
  }
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${escapeAttribute(page.title)}</title>
    <link rel="icon" href="data:," />
  </head>
  <body>
    <script id="api-reference" data-url="${escapeAttribute(page.specUrl)}" data-configuration="${escapeAttribute(JSON.stringify(configuration))}"></script>
    <script src="${escapeAttribute(`${page.path}/${REFERENCE_SCRIPT}`)}"></script>
  </body>
</html>
`
}

export function referencePageResponse(page: ReferencePage): HttpResponse {
  return {
    status: 200,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': REFERENCE_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-cache',
    },
    body: Buffer.from(referencePageHtml(page)),
  }
}

/**
 * Where the bundle is: `assets/` of the package (copied there by `npm run build`, shipped in the
 * package), else the devDependency itself (running from a checkout before a build).
 */
function bundlePath(): string {
  const built = fileURLToPath(new URL('../../assets/scalar-api-reference.js', import.meta.url))
  if (existsSync(built)) return built
  return createRequire(import.meta.url).resolve('@scalar/api-reference/browser/standalone.js')
}

type Bundle = Readonly<{ plain: Buffer; gzipped: Buffer }>
let bundle: Promise<Bundle> | undefined

function loadBundle(): Promise<Bundle> {
  bundle ??= (async () => {
    const plain = await readFile(bundlePath())
    return { plain, gzipped: await promisify(gzip)(plain) }
  })()
  bundle.catch(() => {
    bundle = undefined
  })
  return bundle
}

/** The reference's script (3.5 MB, 1 MB gzipped); cached for a day. */
export async function referenceScriptResponse(acceptEncoding: string | undefined): Promise<HttpResponse> {
  const { plain, gzipped } = await loadBundle()
  const gzipOk = /\bgzip\b/.test(acceptEncoding ?? '')
  return {
    status: 200,
    headers: {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'public, max-age=86400',
      'X-Content-Type-Options': 'nosniff',
      Vary: 'Accept-Encoding',
      ...(gzipOk ? { 'Content-Encoding': 'gzip' } : {}),
    },
    body: gzipOk ? gzipped : plain,
  }
}

/**
 * The Data API's reference: `/{db}/rest/reference` and its script. Undefined for any other path.
 * GET and HEAD only (405 otherwise).
 */
export function dataApiReference(dbName: string, method: string, path: string, acceptEncoding: string | undefined): Promise<HttpResponse> | undefined {
  const page = `${databasePath(dbName)}/rest/reference`
  if (path !== page && path !== `${page}/` && path !== `${page}/${REFERENCE_SCRIPT}`) return undefined
  if (method !== 'GET' && method !== 'HEAD') {
    const body = Buffer.from(JSON.stringify({ message: 'Only GET and HEAD are allowed on the API reference' }))
    return Promise.resolve({ status: 405, headers: { 'Content-Type': 'application/json; charset=utf-8', Allow: 'GET, HEAD' }, body })
  }
  if (path.endsWith(`/${REFERENCE_SCRIPT}`)) return referenceScriptResponse(acceptEncoding)
  const api = `${databasePath(dbName)}/rest/v1`
  return Promise.resolve(referencePageResponse({ title: `${dbName} Data API`, path: page, specUrl: `${api}/` }))
}
