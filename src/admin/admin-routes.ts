/**
 * The admin API (/admin/v1/*, admin key required): run SQL as the database owner, refresh the schema
 * cache (of every process serving the database), report status. The CLI talks to it when a server
 * owns the embedded database.
 */
import type { AppConfig } from '../config/app-config.js'
import type { Database } from '../db/database.js'
import type { HttpResponse } from '../rest/response/http-response.js'
import type { SchemaCacheStore } from '../schema-cache/schema-cache-store.js'

export type AdminDeps = Readonly<{
  adminKey: string | undefined
  config: AppConfig
  db: Database
  schemaCache: SchemaCacheStore
}>

function json(status: number, value: unknown): HttpResponse {
  return { status, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: Buffer.from(JSON.stringify(value)) }
}

export async function handleAdminRequest(deps: AdminDeps, method: string, path: string, body: Buffer | undefined): Promise<HttpResponse> {
  if (method === 'POST' && path === '/sql') {
    const script = sqlFromBody(body)
    if (script === undefined) return json(400, { message: 'Send the SQL as the request body (text/plain) or as {"sql": "..."}.' })
    try {
      const results = await deps.db.exec(script)
      // DDL reloads through the event trigger too, but the caller should see its change at once.
      await deps.schemaCache.reload().catch(() => undefined)
      return json(200, results)
    } catch (err) {
      const e = err as { code?: string; message?: string; detail?: string; hint?: string; position?: string }
      return json(400, { code: e.code ?? null, message: e.message ?? String(err), details: e.detail ?? null, hint: e.hint ?? null })
    }
  }
  if (method === 'POST' && path === '/refresh-schema') {
    try {
      await deps.schemaCache.reload()
      // other processes serving this database (workers, other hosts) reload on the notification
      if (deps.db.kind === 'postgres') await deps.db.query(`NOTIFY data_api, 'reload schema'`)
      return json(200, { refreshed: true })
    } catch (err) {
      return json(503, { refreshed: false, message: (err as Error).message })
    }
  }
  if (method === 'GET' && path === '/status') {
    const cache = deps.schemaCache.current()
    return json(200, {
      database: deps.db.name,
      backend: deps.db.kind,
      schemas: deps.config.schemas,
      tables: cache ? [...cache.tables.keys()] : [],
      schemaCacheLoaded: cache !== undefined,
    })
  }
  return json(404, { message: `No admin endpoint ${method} ${path}` })
}

function sqlFromBody(body: Buffer | undefined): string | undefined {
  if (!body || body.length === 0) return undefined
  const text = body.toString('utf8')
  if (text.trimStart().startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as { sql?: unknown }
      return typeof parsed.sql === 'string' ? parsed.sql : undefined
    } catch {
      return text
    }
  }
  return text
}
