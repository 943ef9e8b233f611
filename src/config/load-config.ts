/**
 * The only reader of the environment. Turns variables into a validated AppConfig — the server-level
 * values, and the per-database settings the environment pins — or fails with a ConfigError whose
 * message says which variable is wrong and why. resolve-config.ts then layers each database's stored
 * settings under the pinned ones.
 */
import { configSchema, type AppConfig } from './app-config.js'
import { parseAuthServiceEnv } from './auth-service-config.js'
import { SETTINGS, type MutableConfig } from './settings-catalog.js'

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

const APP_SETTINGS_PREFIX = 'DATA_API_APP_SETTINGS_'

/** DATA_API_APP_SETTINGS_JWT_SECRET=x → { jwt_secret: 'x' }, visible to SQL as app.settings.jwt_secret (PostgREST's app.settings.*). */
function appSettings(present: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(present)) {
    if (name.startsWith(APP_SETTINGS_PREFIX) && name.length > APP_SETTINGS_PREFIX.length) out[name.slice(APP_SETTINGS_PREFIX.length).toLowerCase()] = value
  }
  return out
}

export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env, overrides: Partial<AppConfig> = {}): AppConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')) as Record<string, string>
  const parsed = configSchema.safeParse(present)
  const authService = parseAuthServiceEnv(present)
  const lines = parsed.success ? [] : parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`)
  if (!authService.ok) lines.push(...authService.issues)
  const pinnedValues: [(typeof SETTINGS)[number], unknown][] = []
  for (const setting of SETTINGS) {
    const text = present[setting.env]
    if (text === undefined) continue
    const value = setting.fromEnv.safeParse(text)
    if (value.success) pinnedValues.push([setting, value.data])
    else lines.push(`  ${setting.env}: ${value.error.issues.map((i) => i.message).join('; ')}`)
  }
  if (!parsed.success || !authService.ok || lines.length > 0) throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`)
  const c = parsed.data!
  const config: MutableConfig = {
    databaseUrl: c.DATABASE_URL,
    databaseDirectUrl: c.DATABASE_DIRECT_URL,
    preparedStatements: c.DATA_API_DB_PREPARED_STATEMENTS,
    dataDir: c.DATA_API_DIR,
    embeddedName: c.DATA_API_DB_NAME,
    host: c.HOST,
    port: c.PORT,
    publicUrl: c.DATA_API_PUBLIC_URL,
    // on by default while developing, off in production (an unauthenticated superuser port, loopback only)
    wirePort:
      c.DATA_API_WIRE_PORT === 'off' ? undefined : c.DATA_API_WIRE_PORT !== undefined ? Number(c.DATA_API_WIRE_PORT) : present.NODE_ENV === 'production' ? undefined : 5433,
    projectId: c.DATA_API_PROJECT_ID,
    poolSize: c.DATA_API_POOL_SIZE,
    poolTimeoutSeconds: c.DATA_API_POOL_TIMEOUT,
    // an embedded database is a whole PGlite instance (about 200 MB of memory each), a PostgreSQL one a pool
    maxOpenDatabases: c.DATA_API_MAX_OPEN_DATABASES ?? (c.DATABASE_URL === undefined ? 4 : 20),
    databaseIdleSeconds: c.DATA_API_DATABASE_IDLE_SECONDS,
    workers: c.DATA_API_WORKERS,
    jwtSecret: c.DATA_API_JWT_SECRET,
    jwtSecretIsBase64: c.DATA_API_JWT_SECRET_IS_BASE64,
    jwks: c.DATA_API_JWKS,
    jwtLeewaySeconds: c.DATA_API_JWT_LEEWAY,
    adminKey: c.DATA_API_ADMIN_KEY,
    maxBodyBytes: c.DATA_API_MAX_BODY_BYTES,
    requestTimeoutSeconds: c.DATA_API_REQUEST_TIMEOUT,
    maxConcurrentRequests: c.DATA_API_MAX_CONCURRENT_REQUESTS,
    logLevel: c.DATA_API_LOG_LEVEL,
    authService: authService.config!,
    apiEnabled: true,
    // the per-database settings' defaults (settings-catalog.ts; a unit test keeps the two in step)
    schemas: ['public'],
    extraSearchPath: ['public'],
    maxRows: undefined,
    anonRole: 'anonymous',
    defaultRole: 'authenticated',
    jwksUrl: undefined,
    jwtAudience: undefined,
    jwtIssuer: undefined,
    roleClaimKey: '.role',
    jwtCacheMaxLifetimeSeconds: 300,
    corsOrigins: undefined,
    aggregatesEnabled: false,
    preRequest: undefined,
    rootSpec: undefined,
    serverTraceHeader: undefined,
    appSettings: appSettings(present),
    openApiMode: 'follow-privileges',
    serverTimingEnabled: false,
    openApiSecurityActive: false,
    openApiServerProxyUri: undefined,
    planEnabled: false,
    txEnd: 'commit',
    statementTimeoutMs: 30000,
    pinned: {},
  }
  const pinned: Record<string, string> = {}
  for (const [setting, value] of pinnedValues) {
    setting.apply(config, value)
    pinned[setting.key] = setting.env
  }
  Object.assign(config, overrides)
  for (const setting of SETTINGS) {
    if (setting.field in overrides && setting.field !== 'pinned' && !(setting.key in pinned)) pinned[setting.key] = 'override'
  }
  config.pinned = { ...pinned, ...overrides.pinned }
  return config
}
