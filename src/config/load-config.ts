/**
 * The only reader of the environment. Turns variables into a validated AppConfig or fails with a
 * ConfigError whose message says which variable is wrong and why.
 */
import { configSchema, type AppConfig } from './app-config.js'
import { parseAuthServiceEnv } from './auth-service-config.js'

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

/** Which AppConfig field each variable sets: a variable that is present makes its field explicit. */
const FIELD_OF_VARIABLE: Readonly<Record<string, keyof AppConfig>> = {
  DATABASE_URL: 'databaseUrl',
  DATA_API_DIR: 'dataDir',
  DATA_API_DB_NAME: 'embeddedName',
  HOST: 'host',
  PORT: 'port',
  DATA_API_POOL_SIZE: 'poolSize',
  DATA_API_WORKERS: 'workers',
  DATA_API_SCHEMAS: 'schemas',
  DATA_API_EXTRA_SEARCH_PATH: 'extraSearchPath',
  DATA_API_MAX_ROWS: 'maxRows',
  DATA_API_ANON_ROLE: 'anonRole',
  DATA_API_DEFAULT_ROLE: 'defaultRole',
  DATA_API_JWT_SECRET: 'jwtSecret',
  DATA_API_JWT_SECRET_IS_BASE64: 'jwtSecretIsBase64',
  DATA_API_JWKS_URL: 'jwksUrl',
  DATA_API_JWKS: 'jwks',
  DATA_API_JWT_AUD: 'jwtAudience',
  DATA_API_JWT_ISSUER: 'jwtIssuer',
  DATA_API_ROLE_CLAIM_KEY: 'roleClaimKey',
  DATA_API_JWT_LEEWAY: 'jwtLeewaySeconds',
  DATA_API_JWT_CACHE_MAX_LIFETIME: 'jwtCacheMaxLifetimeSeconds',
  DATA_API_ADMIN_KEY: 'adminKey',
  DATA_API_CORS_ORIGINS: 'corsOrigins',
  DATA_API_MAX_BODY_BYTES: 'maxBodyBytes',
  DATA_API_AGGREGATES_ENABLED: 'aggregatesEnabled',
  DATA_API_PRE_REQUEST: 'preRequest',
  DATA_API_ROOT_SPEC: 'rootSpec',
  DATA_API_SERVER_TRACE_HEADER: 'serverTraceHeader',
  DATA_API_OPENAPI_MODE: 'openApiMode',
  DATA_API_SERVER_TIMING_ENABLED: 'serverTimingEnabled',
  DATA_API_OPENAPI_SECURITY_ACTIVE: 'openApiSecurityActive',
  DATA_API_OPENAPI_SERVER_PROXY_URI: 'openApiServerProxyUri',
  DATA_API_PLAN_ENABLED: 'planEnabled',
  DATA_API_LOG_LEVEL: 'logLevel',
}

const APP_SETTINGS_PREFIX = 'DATA_API_APP_SETTINGS_'

/** DATA_API_APP_SETTINGS_JWT_SECRET=x → { jwt_secret: 'x' }, visible to SQL as app.settings.jwt_secret (PostgREST's app.settings.*). */
function appSettings(present: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(present)) {
    if (name.startsWith(APP_SETTINGS_PREFIX) && name.length > APP_SETTINGS_PREFIX.length && value !== undefined) {
      out[name.slice(APP_SETTINGS_PREFIX.length).toLowerCase()] = value
    }
  }
  return out
}

export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env, overrides: Partial<AppConfig> = {}): AppConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = configSchema.safeParse(present)
  const authService = parseAuthServiceEnv(present)
  if (!parsed.success || !authService.ok) {
    const lines = parsed.success ? [] : parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`)
    if (!authService.ok) lines.push(...authService.issues)
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
    workers: c.DATA_API_WORKERS,
    schemas: c.DATA_API_SCHEMAS.length > 0 ? c.DATA_API_SCHEMAS : ['public'],
    extraSearchPath: c.DATA_API_EXTRA_SEARCH_PATH,
    maxRows: c.DATA_API_MAX_ROWS,
    anonRole: c.DATA_API_ANON_ROLE === 'none' ? undefined : c.DATA_API_ANON_ROLE,
    defaultRole: c.DATA_API_DEFAULT_ROLE,
    jwtSecret: c.DATA_API_JWT_SECRET,
    jwtSecretIsBase64: c.DATA_API_JWT_SECRET_IS_BASE64,
    jwksUrl: c.DATA_API_JWKS_URL,
    jwks: c.DATA_API_JWKS,
    jwtAudience: c.DATA_API_JWT_AUD && c.DATA_API_JWT_AUD.length > 0 ? c.DATA_API_JWT_AUD : undefined,
    jwtIssuer: c.DATA_API_JWT_ISSUER && c.DATA_API_JWT_ISSUER.length > 0 ? c.DATA_API_JWT_ISSUER : undefined,
    roleClaimKey: c.DATA_API_ROLE_CLAIM_KEY,
    jwtLeewaySeconds: c.DATA_API_JWT_LEEWAY,
    jwtCacheMaxLifetimeSeconds: c.DATA_API_JWT_CACHE_MAX_LIFETIME,
    apiEnabled: true,
    adminKey: c.DATA_API_ADMIN_KEY,
    corsOrigins: c.DATA_API_CORS_ORIGINS,
    aggregatesEnabled: c.DATA_API_AGGREGATES_ENABLED,
    preRequest: c.DATA_API_PRE_REQUEST,
    rootSpec: c.DATA_API_ROOT_SPEC,
    serverTraceHeader: c.DATA_API_SERVER_TRACE_HEADER,
    appSettings: appSettings(present),
    openApiMode: c.DATA_API_OPENAPI_MODE,
    serverTimingEnabled: c.DATA_API_SERVER_TIMING_ENABLED,
    openApiSecurityActive: c.DATA_API_OPENAPI_SECURITY_ACTIVE,
    openApiServerProxyUri: c.DATA_API_OPENAPI_SERVER_PROXY_URI,
    planEnabled: c.DATA_API_PLAN_ENABLED,
    maxBodyBytes: c.DATA_API_MAX_BODY_BYTES,
    txEnd: c.DATA_API_TX_END,
    logLevel: c.DATA_API_LOG_LEVEL,
    authService: authService.config,
    ...overrides,
    explicit: [
      ...new Set([
        ...Object.keys(present).flatMap((name) => (FIELD_OF_VARIABLE[name] ? [FIELD_OF_VARIABLE[name]] : [])),
        ...(Object.keys(overrides) as (keyof AppConfig)[]).filter((k) => k !== 'explicit'),
        ...(overrides.explicit ?? []),
      ]),
    ],
  }
}
