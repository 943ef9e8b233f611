/**
 * One database the server serves: its effective configuration, schema cache, authenticator, planned
 * read shapes and (when it uses it) the built-in auth service, kept current by the database's own
 * notifications: `NOTIFY data_api` with 'reload schema' (DDL, refresh-schema), 'reload config'
 * (every settings write) and 'reload keys' (signing-key rotation) reach every process serving it.
 */
import type { Logger } from 'pino'
import { readSettings } from '../admin/settings-store.js'
import { AuthRuntime, type AuthConfig, type AuthRuntimeOptions } from '../auth/auth-runtime.js'
import { openAuthService, resolveAuthProvider, type AuthService } from '../auth-service/auth-service.js'
import type { EmailSender } from '../auth-service/email.js'
import type { AppConfig } from '../config/app-config.js'
import { resolveConfig, type ResolvedConfig } from '../config/resolve-config.js'
import type { Database } from '../db/database.js'
import type { RestDeps } from '../rest/handle-request.js'
import { ReadShapeCache } from '../rest/read-shape-cache.js'
import { WriteShapeCache } from '../rest/write-shape-cache.js'
import { describeSchemaCache } from '../schema-cache/find-relationships.js'
import { SchemaCacheStore } from '../schema-cache/schema-cache-store.js'
import type { SchemaCacheStats } from '../server/collect-metrics.js'

export type ServedDatabaseOptions = Readonly<{
  /** the name it is served under: /{name}/rest/v1 */
  name: string
  db: Database
  /** the server's configuration: environment values and pinned settings */
  base: AppConfig
  logger: Logger
  /** the address clients reach the server at (known once it listens) */
  serverUrl: () => string
  /** PostgreSQL: the URL the auth service connects with */
  connectionUrl: string | undefined
  /** the secret that verifies `data-api token` tokens when no identity provider is configured */
  localJwtSecret: string | undefined
  jwks?: AuthRuntimeOptions['jwks']
  emailSender?: EmailSender
  onInternalError: (err: unknown) => void
  schemaCacheStats: SchemaCacheStats
  /** every notification on the data_api channel, after the database's own handling */
  onNotify?: (payload: string) => void
}>

export type ServedDatabase = Readonly<{
  name: string
  db: Database
  schemaCache: SchemaCacheStore
  auth: AuthRuntime
  /** the configuration it runs with now, and where each setting came from */
  resolved: () => ResolvedConfig
  config: () => AppConfig
  /** what the REST pipeline needs, current as of now */
  rest: () => RestDeps
  /** the built-in auth service, when the database uses it */
  authService: () => AuthService | undefined
  /** re-reads the stored settings and applies them (what 'reload config' does) */
  reloadConfig: () => Promise<void>
  close: () => Promise<void>
}>

/** Reads the stored settings; a role that may not read them runs on the environment alone. */
async function storedSettings(db: Database, logger: Logger): Promise<Record<string, unknown>> {
  return readSettings(db).catch((err: unknown) => {
    if ((err as { code?: string }).code !== '42501') throw err
    logger.warn('The connecting role may not read data_api.settings (data-api enable grants it); using the environment only')
    return {}
  })
}

export async function openServedDatabase(options: ServedDatabaseOptions): Promise<ServedDatabase> {
  const { db, logger, name } = options
  const closers: (() => Promise<void>)[] = []
  try {
    let resolved = resolveConfig(options.base, await storedSettings(db, logger))
    for (const warning of resolved.warnings) logger.warn({ database: name }, warning)

    const stats = options.schemaCacheStats
    const schemaCache = new SchemaCacheStore(db, resolved.config.schemas, {
      onLoaded: (cache, ms) => {
        stats.loads++
        stats.lastLoadSeconds = ms / 1000
        logger.info({ database: name, ms: Math.round(ms) }, `Schema cache loaded: ${describeSchemaCache(cache)}`)
      },
      onError: (err) => {
        stats.failures++
        logger.error({ err, database: name }, 'Schema cache load failed')
      },
    })
    await schemaCache.reload()

    // the server's own secret verifies `data-api token` tokens unless an identity provider is configured
    const authConfig = (c: AppConfig): AuthConfig => ({ ...c, jwtSecret: c.jwtSecret ?? (c.jwksUrl || c.jwks ? undefined : options.localJwtSecret) })
    let authService: AuthService | undefined
    const openService = async (c: AppConfig): Promise<AuthService> => {
      const service = await openAuthService({
        db,
        settings: c.authService,
        databaseUrl: options.connectionUrl,
        anonRole: c.anonRole,
        logger,
        emailSender: options.emailSender,
      })
      await service.start(options.serverUrl())
      return service
    }
    /** The built-in auth service runs for an enabled database whose provider it is. */
    const wantsService = (c: AppConfig) => c.apiEnabled && resolveAuthProvider(c) === 'built-in'
    /** A service that cannot start (the connecting role may not create its schema) leaves the Data API serving. */
    const tryOpenService = async (c: AppConfig): Promise<AuthService | undefined> =>
      openService(c).catch((err: unknown) => {
        logger.error({ err, database: name }, `The built-in auth service could not start: ${(err as Error).message}`)
        return undefined
      })
    if (wantsService(resolved.config)) authService = await tryOpenService(resolved.config)
    closers.push(async () => authService?.close())

    const auth = new AuthRuntime(authConfig(resolved.config), {
      wrapVerifier: (configured) => (authService ? authService.verifier.withFallback(configured) : configured),
      database: name,
      jwks: options.jwks,
      onJwksError: (url, err, hasKeys) =>
        logger.warn({ url, database: name }, `JWKS fetch failed: ${err.message}${hasKeys ? ' (still using the keys fetched before)' : ''}`),
      onJwksFetched: (url, keys, ignored) =>
        logger.info({ url, database: name }, `JWKS fetched: ${keys} key${keys === 1 ? '' : 's'}${ignored ? `, ${ignored} ignored (not public signing keys)` : ''}`),
    })
    closers.push(async () => auth.close())

    const restDeps = (): RestDeps => ({
      config: resolved.config,
      db,
      schemaCache,
      authenticator: auth,
      onInternalError: options.onInternalError,
      // plans depend on the configuration (max rows, aggregates...): a new configuration starts afresh
      readShapes: new ReadShapeCache(),
      writeShapes: new WriteShapeCache(),
    })
    let rest = restDeps()

    const reloadConfig = async (): Promise<void> => {
      const next = resolveConfig(options.base, await storedSettings(db, logger))
      for (const warning of next.warnings) logger.warn({ database: name }, warning)
      const schemasChanged = next.config.schemas.join('\u0000') !== resolved.config.schemas.join('\u0000')
      const wanted = wantsService(next.config)
      if (wanted && !authService) authService = await tryOpenService(next.config)
      else if (wanted && authService) await authService.reconfigure(next.config.authService, next.config.anonRole)
      else if (!wanted && authService) {
        const stopped = authService
        authService = undefined
        await stopped.close()
      }
      auth.configure(authConfig(next.config))
      resolved = next
      if (schemasChanged) {
        schemaCache.setSchemas(next.config.schemas)
        await schemaCache.reload()
      }
      rest = restDeps()
      logger.info({ database: name }, 'Configuration reloaded from the database settings')
    }

    const stop = await db.listen('data_api', (payload) => {
      if (payload === '' || payload === 'reload schema') void schemaCache.reload().catch(() => undefined)
      if (payload === 'reload config') void reloadConfig().catch((err: unknown) => logger.error({ err, database: name }, 'Configuration reload failed'))
      if (payload === 'reload keys') {
        authService?.verifier.invalidate()
        auth.forgetTokens()
      }
      options.onNotify?.(payload)
    })
    closers.push(stop)
    const stopPgrst = await db.listen('pgrst', (payload) => {
      if (payload === '' || payload === 'reload schema') void schemaCache.reload().catch(() => undefined)
      if (payload === 'reload config') {
        void reloadConfig().catch((err: unknown) => logger.error({ err, database: name }, 'Configuration reload failed'))
        // PostgREST reads the roles' own settings (ALTER ROLE ... SET) with its configuration; they live in the schema cache here
        void schemaCache.reload().catch(() => undefined)
      }
    })
    closers.push(stopPgrst)

    let closed = false
    return {
      name,
      db,
      schemaCache,
      auth,
      resolved: () => resolved,
      config: () => resolved.config,
      rest: () => rest,
      authService: () => authService,
      reloadConfig,
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
