/**
 * Starts one data-api server: open the database, bootstrap what we own, load the schema cache,
 * listen for reload notifications, serve HTTP. Returns a handle that stops all of it.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import pino, { type Logger } from 'pino'
import { applySettings, readSettings } from './admin/settings.js'
import { AuthRuntime, type AuthConfig, type AuthRuntimeOptions } from './auth/auth-runtime.js'
import { openAuthService, resolveAuthProvider, type AuthService } from './auth-service/auth-service.js'
import type { EmailSender } from './auth-service/email.js'
import type { AppConfig } from './config/app-config.js'
import type { Database } from './db/database.js'
import { bootstrapDatabase } from './db/bootstrap.js'
import { openDatabase } from './db/open-database.js'
import { SchemaCacheStore } from './schema-cache/schema-cache-store.js'
import { describeSchemaCache } from './schema-cache/find-relationships.js'
import { createServer } from './server/create-server.js'
import { ReadShapeCache } from './rest/read-shape-cache.js'
import { collectMetrics, type SchemaCacheStats } from './server/collect-metrics.js'
import { HttpMetrics } from './server/http-metrics.js'
import { renderMetrics, type MetricFamily } from './server/metrics.js'

export type App = Readonly<{
  url: string
  port: number
  config: AppConfig
  db: Database
  schemaCache: SchemaCacheStore
  adminKey: string | undefined
  jwtSecret: string | undefined
  logger: Logger
  /** the current authenticator; rebuilt when the database's settings change */
  auth: AuthRuntime
  /** re-reads data_api.settings and applies them (what `NOTIFY data_api, 'reload config'` does) */
  reloadConfig: () => Promise<void>
  /** the built-in auth service (`{url}/{db}/auth`), when the auth provider is built-in */
  authService: AuthService | undefined
  /** this process's metric families, as /metrics shows them */
  metrics: () => MetricFamily[]
  close: () => Promise<void>
}>

/** How long stopping waits for requests in flight before it closes their connections. */
export const SHUTDOWN_GRACE_MS = 5000

/** Written in the data folder while an embedded server runs, so the CLI can reach it. */
export type ServerInfo = Readonly<{ pid: number; url: string; adminKey: string }>

export function serverInfoPath(dataDir: string): string {
  return join(dataDir, 'server.json')
}

/** A secret kept in the data folder, created on first use (embedded mode needs no setup). */
export function localSecret(dataDir: string, file: string, bytes: number): string {
  if (isInMemory(dataDir)) return randomBytes(bytes).toString('base64url')
  const path = join(dataDir, file)
  if (existsSync(path)) return readFileSync(path, 'utf8').trim()
  mkdirSync(dataDir, { recursive: true })
  const secret = randomBytes(bytes).toString('base64url')
  writeFileSync(path, `${secret}\n`, { mode: 0o600 })
  return secret
}

/** `memory://` keeps the embedded database in memory and writes nothing to disk (tests, demos). */
export function isInMemory(dataDir: string): boolean {
  return dataDir.startsWith('memory://')
}

/**
 * Bootstraps the database; a connecting role that may not (e.g. `authenticator` itself, after
 * `data-api enable` was run by an owner) uses the objects already there.
 */
async function bootstrapOrReuse(db: Database, logger: Logger): Promise<void> {
  try {
    const { warnings } = await bootstrapDatabase(db)
    for (const warning of warnings) logger.warn(warning)
  } catch (err) {
    if ((err as { code?: string }).code !== '42501') throw err
    const [row] = await db.query<{ ready: boolean }>(
      // catalog lookups: the connecting role may lack USAGE on these schemas
      `select exists (select from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'auth' and p.proname = 'user_id')
          and exists (select from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'data_api' and c.relname = 'settings') as ready`,
    )
    if (!row?.ready) throw err
    logger.info('The connecting role may not create data-api objects; using the ones `data-api enable` created')
  }
}

export async function startApp(
  config: AppConfig,
  options: {
    logger?: Logger
    writeServerInfo?: boolean
    emailSender?: EmailSender
    /** JWKS cache tuning (refetch rate limit, refresh period, timeout, size); tests shorten them */
    jwks?: AuthRuntimeOptions['jwks']
    /** what /metrics shows instead of this process's families (`serve --workers N` gathers all workers') */
    gatherMetrics?: (own: MetricFamily[]) => Promise<MetricFamily[]>
  } = {},
): Promise<App> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: undefined })
  const embedded = config.databaseUrl === undefined
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.poolSize, name: config.embeddedName })
  const closers: (() => Promise<void>)[] = [() => db.close()]
  try {
    await bootstrapOrReuse(db, logger)

    // Settings stored in the database apply where no environment variable was set explicitly.
    const effective = async (): Promise<AppConfig> => {
      const stored = await readSettings(db).catch((err: unknown) => {
        if ((err as { code?: string }).code !== '42501') throw err
        logger.warn('The connecting role may not read data_api.settings (data-api enable grants it); using the environment only')
        return {}
      })
      const { config: merged, warnings } = applySettings(config, stored)
      for (const warning of warnings) logger.warn(warning)
      return merged
    }
    const startConfig = await effective()

    const schemaCacheStats: SchemaCacheStats = { loads: 0, failures: 0, lastLoadSeconds: undefined }
    const schemaCache = new SchemaCacheStore(db, config.schemas, {
      onLoaded: (cache, ms) => {
        schemaCacheStats.loads++
        schemaCacheStats.lastLoadSeconds = ms / 1000
        logger.info({ ms: Math.round(ms) }, `Schema cache loaded: ${describeSchemaCache(cache)}`)
      },
      onError: (err) => {
        schemaCacheStats.failures++
        logger.error({ err }, 'Schema cache load failed')
      },
    })
    await schemaCache.reload()

    const jwtSecret = config.jwtSecret ?? (embedded ? localSecret(config.dataDir, 'jwt-secret', 48) : undefined)
    const adminKey = config.adminKey ?? (embedded ? localSecret(config.dataDir, 'admin-key', 32) : undefined)
    // The generated embedded secret verifies `data-api token` tokens unless an identity provider is configured.
    const authConfig = (c: AppConfig): AuthConfig => ({ ...c, jwtSecret: c.jwtSecret ?? (c.jwksUrl || c.jwks ? undefined : jwtSecret) })
    const authService =
      resolveAuthProvider(startConfig) === 'built-in'
        ? await openAuthService({
            db,
            settings: startConfig.authService,
            databaseUrl: config.databaseUrl,
            anonRole: startConfig.anonRole,
            logger,
            emailSender: options.emailSender,
          })
        : undefined
    if (authService) closers.push(() => authService.close())
    const auth = new AuthRuntime(authConfig(startConfig), {
      wrapVerifier: authService ? (configured) => authService.verifier.withFallback(configured) : undefined,
      database: db.name,
      jwks: options.jwks,
      onJwksError: (url, err, hasKeys) =>
        logger.warn({ url }, `JWKS fetch failed: ${err.message}${hasKeys ? ' (still using the keys fetched before)' : ''}`),
      onJwksFetched: (url, keys, ignored) =>
        logger.info({ url }, `JWKS fetched: ${keys} key${keys === 1 ? '' : 's'}${ignored ? `, ${ignored} ignored (not public signing keys)` : ''}`),
    })
    closers.push(async () => auth.close())
    const reloadConfig = async () => {
      auth.configure(authConfig(await effective()))
      logger.info('Configuration reloaded from the database settings')
    }

    for (const channel of ['data_api', 'pgrst']) {
      const stop = await db.listen(channel, (payload) => {
        if (payload === '' || payload === 'reload schema') void schemaCache.reload().catch(() => undefined)
        if (payload === 'reload config') void reloadConfig().catch((err: unknown) => logger.error({ err }, 'Configuration reload failed'))
        if (payload === 'reload keys') {
          authService?.verifier.invalidate()
          auth.forgetTokens()
        }
      })
      closers.push(stop)
    }

    const http = new HttpMetrics()
    const metrics = () => collectMetrics({ http, tokenCache: auth.tokenCacheStats, schemaCache: schemaCacheStats, pool: db.poolStats })
    const gather = options.gatherMetrics
    const server = createServer({
      metrics: { http, render: async () => renderMetrics(gather ? await gather(metrics()) : metrics()) },
      config: startConfig,
      db,
      schemaCache,
      authenticator: auth,
      authService,
      adminKey,
      onInternalError: (err) => logger.error({ err }, 'Internal error'),
      readShapes: new ReadShapeCache(),
    })
    server.keepAliveTimeout = 65_000
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(config.port, config.host, () => resolve())
    })
    const port = (server.address() as AddressInfo).port
    const host = config.host.includes(':') ? `[${config.host}]` : config.host
    const url = `http://${host}:${port}`
    await authService?.start(url)
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          // stop accepting, close idle keep-alive connections, let requests in flight finish (the
          // pool closes after this), and cut whatever is still open after the grace period
          const cut = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS)
          // a keep-alive connection whose request ends meanwhile turns idle: close it then too
          const sweep = setInterval(() => server.closeIdleConnections(), 50)
          server.close(() => {
            clearTimeout(cut)
            clearInterval(sweep)
            resolve()
          })
          server.closeIdleConnections()
        }),
    )

    if (embedded && options.writeServerInfo && adminKey && !isInMemory(config.dataDir)) {
      const info: ServerInfo = { pid: process.pid, url, adminKey }
      writeFileSync(serverInfoPath(config.dataDir), JSON.stringify(info), { mode: 0o600 })
      closers.push(async () => rmSync(serverInfoPath(config.dataDir), { force: true }))
    }
    logger.info(`data-api serving ${db.kind === 'pglite' ? 'embedded' : 'PostgreSQL'} database "${db.name}" at ${url}/${db.name}/rest/v1`)

    let closed = false
    return {
      url,
      port,
      config,
      db,
      schemaCache,
      adminKey,
      jwtSecret,
      logger,
      auth,
      reloadConfig,
      authService,
      metrics,
      close: async () => {
        if (closed) return
        closed = true
        for (const close of closers.reverse()) await close().catch(() => undefined)
      },
    }
  } catch (err) {
    for (const close of closers.reverse()) await close().catch(() => undefined)
    throw err
  }
}
