/**
 * Starts one data-api server: listen, open the default database (bootstrap, schema cache, auth)
 * and serve every database whose Data API is enabled, plus the management API, MCP and health.
 * Returns a handle that stops all of it.
 */
import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import { createLogger } from './server/logger.js'
import type { AdminContext } from './admin/admin-context.js'
import type { AuthRuntime, AuthRuntimeOptions } from './auth/auth-runtime.js'
import type { AuthService } from './auth-service/auth-service.js'
import type { EmailSender } from './auth-service/email.js'
import type { AppConfig } from './config/app-config.js'
import type { Database } from './db/database.js'
import { DatabaseHost, type HostEvent, type Step } from './serving/database-host.js'
import { localSecret, removeServerInfo, writeServerInfo } from './serving/local-state.js'
import { openStore } from './serving/open-store.js'
import type { ServedDatabase } from './serving/served-database.js'
import type { SchemaCacheStore } from './schema-cache/schema-cache-store.js'
import { collectMetrics, type SchemaCacheStats } from './server/collect-metrics.js'
import { createConsoleRoutes } from './server/console-routes.js'
import { ConsoleSessions, consoleLoginUrl, type SpentLink } from './server/console-session.js'
import { createServer } from './server/create-server.js'
import { HttpMetrics } from './server/http-metrics.js'
import { renderMetrics, type MetricFamily } from './server/metrics.js'
import { startWireServer } from './db/wire-server.js'

export { isInMemory } from './serving/pglite-store.js'
export { localSecret, serverInfoPath, type ServerInfo } from './serving/local-state.js'

export type App = Readonly<{
  url: string
  port: number
  config: AppConfig
  host: DatabaseHost
  admin: AdminContext
  adminKey: string | undefined
  jwtSecret: string | undefined
  logger: Logger
  /** the default database and what serves it */
  served: ServedDatabase
  db: Database
  schemaCache: SchemaCacheStore
  auth: AuthRuntime
  /** the built-in auth service of the default database, when it uses it */
  readonly authService: AuthService | undefined
  /** re-reads the default database's settings and applies them (what `NOTIFY data_api, 'reload config'` does) */
  reloadConfig: () => Promise<void>
  /** embedded: the default database on the Postgres protocol, when it listens */
  wireUrl: string | undefined
  /** this process's metric families, as /metrics shows them */
  metrics: () => MetricFamily[]
  /** the web console's sign-in: undefined without an admin key */
  consoleSessions: ConsoleSessions | undefined
  /** a new one-time sign-in link to the web console (the banner prints one); undefined without an admin key */
  consoleLink: () => string | undefined
  close: () => Promise<void>
}>

/** How long stopping waits for requests in flight before it closes their connections. */
export const SHUTDOWN_GRACE_MS = 5000

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
    /** tells the other processes of `serve --workers N` that a database changed or must close, and waits for them */
    broadcast?: (event: HostEvent, database: string) => Promise<void>
    /** tells the other processes of `serve --workers N` that a console sign-in link was used, and waits for them */
    broadcastConsoleLink?: (link: SpentLink) => Promise<void>
    /** runs the slow parts of starting (creating, bootstrapping the default database) under labels the CLI shows */
    step?: Step
  } = {},
): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel)
  const embedded = config.databaseUrl === undefined
  const closers: (() => Promise<void>)[] = []
  try {
    const store = await openStore(config, logger, 'data-api serve')
    closers.push(() => store.close())
    const jwtSecret = config.jwtSecret ?? (embedded ? localSecret(config.dataDir, 'jwt-secret', 48) : undefined)
    const adminKey = config.adminKey ?? (embedded ? localSecret(config.dataDir, 'admin-key', 32) : undefined)

    let url = ''
    const serverUrl = () => config.publicUrl ?? url
    const onInternalError = (err: unknown) => logger.error({ err }, 'Internal error')
    const schemaCacheStats: SchemaCacheStats = { loads: 0, failures: 0, lastLoadSeconds: undefined }
    const host = new DatabaseHost({
      store,
      base: config,
      logger,
      serverUrl,
      localJwtSecret: jwtSecret,
      jwks: options.jwks,
      emailSender: options.emailSender,
      onInternalError,
      schemaCacheStats,
      broadcast: options.broadcast,
      step: options.step,
    })
    closers.push(() => host.close())
    const admin: AdminContext = { base: config, host, serverUrl, logger }

    const http = new HttpMetrics()
    let defaultServed: ServedDatabase | undefined
    const metrics = () =>
      collectMetrics({
        http,
        tokenCache: defaultServed?.auth.tokenCacheStats ?? { requests: 0, hits: 0, evictions: 0 },
        schemaCache: schemaCacheStats,
        pool: defaultServed?.db.poolStats,
      })
    const gather = options.gatherMetrics
    const consoleSessions = adminKey ? new ConsoleSessions(adminKey, { broadcastSpent: options.broadcastConsoleLink }) : undefined
    const server = createServer({
      host,
      admin,
      adminKey,
      maxBodyBytes: config.maxBodyBytes,
      maxConcurrentRequests: config.maxConcurrentRequests,
      requestTimeoutSeconds: config.requestTimeoutSeconds,
      onInternalError,
      onClientAbort: () => logger.debug('A client went away before its request was read'),
      metrics: { http, render: async () => renderMetrics(gather ? await gather(metrics()) : metrics()) },
      console: createConsoleRoutes({ sessions: consoleSessions, publicUrl: config.publicUrl }),
    })
    server.keepAliveTimeout = 65_000
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(config.port, config.host, () => resolve())
    })
    const port = (server.address() as AddressInfo).port
    url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          // stop accepting, close idle keep-alive connections, let requests in flight finish (the
          // pools close after this), and cut whatever is still open after the grace period
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

    const served = await host.open(host.defaultName)
    if (!served) throw new Error(`database "${host.defaultName}" could not be opened`)
    defaultServed = served

    let wireUrl: string | undefined
    if (embedded && config.wirePort !== undefined) {
      const wire = await startWireServer(served.db, { host: '127.0.0.1', port: config.wirePort }).catch((err: unknown) => {
        const busy = (err as { code?: string }).code === 'EADDRINUSE'
        logger.warn(
          busy
            ? `Port ${config.wirePort} is in use: the embedded database is not on the Postgres protocol (set DATA_API_WIRE_PORT to another port, 0 for any, or off)`
            : `The embedded database is not on the Postgres protocol: ${(err as Error).message}`,
        )
        return undefined
      })
      if (wire) {
        wireUrl = wire.url
        // before the database closes (closers run in reverse)
        closers.push(() => wire.close())
      }
    }

    if (embedded && options.writeServerInfo && adminKey) {
      writeServerInfo(config.dataDir, { pid: process.pid, url, adminKey, ...(wireUrl ? { wireUrl } : {}) })
      closers.push(async () => removeServerInfo(config.dataDir))
    }
    logger.info(`data-api serving ${embedded ? 'embedded' : 'PostgreSQL'} database "${served.name}" at ${url}/${served.name}/rest/v1`)

    let closed = false
    return {
      url,
      port,
      config,
      host,
      admin,
      adminKey,
      jwtSecret,
      logger,
      served,
      db: served.db,
      schemaCache: served.schemaCache,
      auth: served.auth,
      get authService() {
        return served.authService()
      },
      reloadConfig: () => served.reloadConfig(),
      wireUrl,
      metrics,
      consoleSessions,
      consoleLink: () => (consoleSessions ? consoleLoginUrl(serverUrl(), consoleSessions) : undefined),
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
