/**
 * The only reader of the environment. Turns variables into a validated AppConfig or fails with a
 * ConfigError whose message says which variable is wrong and why.
 */
import { configSchema, type AppConfig } from './app-config.js'

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env, overrides: Partial<AppConfig> = {}): AppConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = configSchema.safeParse(present)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`)
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`)
  }
  const c = parsed.data
  return {
    databaseUrl: c.DATABASE_URL,
    dataDir: c.DATA_API_DIR,
    embeddedName: c.DATA_API_DB_NAME,
    host: c.HOST,
    port: c.PORT,
    poolSize: c.DATA_API_POOL_SIZE,
    schemas: c.DATA_API_SCHEMAS.length > 0 ? c.DATA_API_SCHEMAS : ['public'],
    extraSearchPath: c.DATA_API_EXTRA_SEARCH_PATH,
    maxRows: c.DATA_API_MAX_ROWS,
    anonRole: c.DATA_API_ANON_ROLE === 'none' ? undefined : c.DATA_API_ANON_ROLE,
    defaultRole: c.DATA_API_DEFAULT_ROLE,
    jwtSecret: c.DATA_API_JWT_SECRET,
    jwtAudience: c.DATA_API_JWT_AUD,
    adminKey: c.DATA_API_ADMIN_KEY,
    corsOrigins: c.DATA_API_CORS_ORIGINS,
    aggregatesEnabled: c.DATA_API_AGGREGATES_ENABLED,
    preRequest: c.DATA_API_PRE_REQUEST,
    openApiMode: c.DATA_API_OPENAPI_MODE,
    planEnabled: c.DATA_API_PLAN_ENABLED,
    maxBodyBytes: c.DATA_API_MAX_BODY_BYTES,
    txEnd: c.DATA_API_TX_END,
    logLevel: c.DATA_API_LOG_LEVEL,
    ...overrides,
  }
}
