/**
 * The web console's files, built from console/ by `npm run build` (Vite) into dist/console and
 * served from the package, so the console works with no network: index.html, never cached without
 * asking (it names the current bundle), and the content-hashed files under assets/, cached for a
 * year (a new build gets new names). Read and gzipped once, on first use.
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import type { HttpResponse } from '../rest/response/http-response.js'

/**
 * Only this origin, no inline script and no <style> element: the console's script and styles are
 * files of the bundle, and everything it shows is text (React), never HTML from the server. The SQL
 * editor lives in a shadow root, where CodeMirror's styles are a constructed stylesheet (which
 * style-src does not govern) rather than a <style> element. Style attributes are allowed: Chromium's
 * own editing of the editor's contenteditable carries the style of deleted text over as one (which
 * CodeMirror then redraws); they run no code, and can load nothing from elsewhere. Trusted types make
 * any `innerHTML = string` throw.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "style-src-attr 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ')

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
}

const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json'])

type Asset = Readonly<{ body: Buffer; gzipped: Buffer | undefined; type: string; etag: string }>
type Bundle = Readonly<{ index: Asset; assets: ReadonlyMap<string, Asset> }>

/** dist/console of the package: two levels above this file, whether it runs from src/ or dist/. */
export function consoleDir(): string {
  return fileURLToPath(new URL('../../dist/console/', import.meta.url))
}

async function loadAsset(path: string): Promise<Asset> {
  const body = await readFile(path)
  const ext = extname(path)
  const gzipped = COMPRESSIBLE.has(ext) && body.length > 1024 ? await promisify(gzip)(body) : undefined
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`
  return { body, gzipped, type: TYPES[ext] ?? 'application/octet-stream', etag }
}

async function loadBundle(dir: string): Promise<Bundle | undefined> {
  if (!existsSync(join(dir, 'index.html'))) return undefined
  const assets = new Map<string, Asset>()
  const assetDir = join(dir, 'assets')
  for (const name of existsSync(assetDir) ? await readdir(assetDir) : []) assets.set(name, await loadAsset(join(assetDir, name)))
  return { index: await loadAsset(join(dir, 'index.html')), assets }
}

let bundle: Promise<Bundle | undefined> | undefined

/** The built console, or undefined when it is not built (a checkout before `npm run build`); asked again next time. */
function currentBundle(): Promise<Bundle | undefined> {
  if (!bundle) {
    const loading = loadBundle(consoleDir())
    const forget = () => {
      if (bundle === loading) bundle = undefined
    }
    loading.then((b) => b ?? forget(), forget)
    bundle = loading
  }
  return bundle
}

function body(asset: Asset, acceptEncoding: string | undefined): { headers: Record<string, string>; body: Buffer } {
  const gzipOk = asset.gzipped !== undefined && /\bgzip\b/.test(acceptEncoding ?? '')
  return {
    headers: { 'Content-Type': asset.type, Vary: 'Accept-Encoding', ...(gzipOk ? { 'Content-Encoding': 'gzip' } : {}) },
    body: gzipOk ? asset.gzipped! : asset.body,
  }
}

const NOT_BUILT: HttpResponse = {
  status: 503,
  headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
  body: Buffer.from('The web console is not built: run `npm run build`, then reload this page.\n'),
}

/** The page: index.html with the console's CSP; 304 when the browser has this build already. */
export async function consolePage(acceptEncoding: string | undefined, ifNoneMatch: string | undefined): Promise<HttpResponse> {
  const b = await currentBundle()
  if (!b) return NOT_BUILT
  const headers = {
    'Cache-Control': 'no-cache',
    ETag: b.index.etag,
    'Content-Security-Policy': CONSOLE_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'X-Frame-Options': 'DENY',
  }
  if (ifNoneMatch === b.index.etag) return { status: 304, headers, body: undefined }
  const page = body(b.index, acceptEncoding)
  return { status: 200, headers: { ...page.headers, ...headers }, body: page.body }
}

/** A file under assets/ by its name; 404 for any other name (no paths, no directory listing). */
export async function consoleAsset(name: string, acceptEncoding: string | undefined): Promise<HttpResponse> {
  const b = await currentBundle()
  const asset = b?.assets.get(name)
  if (!asset) {
    return { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }, body: Buffer.from('Not found\n') }
  }
  const file = body(asset, acceptEncoding)
  return {
    status: 200,
    headers: {
      ...file.headers,
      // the name holds a hash of the content: it never changes under this name
      'Cache-Control': 'public, max-age=31536000, immutable',
      'X-Content-Type-Options': 'nosniff',
      'Cross-Origin-Resource-Policy': 'same-origin',
    },
    body: file.body,
  }
}
