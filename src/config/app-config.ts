/**
 * The validated configuration of one server process. Built once by load-config.ts (the only reader
 * of process.env) and passed down as a value.
 */
import { z } from 'zod'
import type { AuthServiceConfig } from './auth-service-config.js'
import { bool, csv, httpUrl } from './env-types.js'

const optionalInt = z
  .string()
  .regex(/^\d+$/, 'must be a whole number')
  .transform((s) => Number(s))
  .optional()

export const configSchema = z.object({
  /** serve a real PostgreSQL; unset = embedded PGlite */
  DATABASE_URL: z.string().url('must be a postgres:// URL').optional(),
  /** where the embedded database and local state (secrets, server.json) live */
  DATA_API_DIR: z.string().default('./.data-api'),
  /** the name the embedded database is served under */
  DATA_API_DB_NAME: z.string().regex(/^[A-Za-z0-9_-]+$/).default('neondb'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z
    .string()
    .regex(/^\d+$/, 'must be a port number (0 picks a free one)')
    .transform(Number)
    .refine((n) => n <= 65535, 'must be a port number (0 picks a free one)')
    .default(3000),
  DATA_API_POOL_SIZE: z
    .string()
    .regex(/^[1-9]\d*$/, 'must be a whole number of connections, at least 1')
    .transform(Number)
    .default(10),
  /** server processes sharing the port (node:cluster); PostgreSQL only */
  DATA_API_WORKERS: z
    .string()
    .regex(/^[1-9]\d*$/, 'must be a whole number of processes, at least 1')
    .transform(Number)
    .default(1),
  DATA_API_SCHEMAS: csv.default(['public']),
  DATA_API_EXTRA_SEARCH_PATH: csv.default(['public']),
  DATA_API_MAX_ROWS: optionalInt,
  DATA_API_ANON_ROLE: z.string().default('anonymous'),
  /** role used for a valid token that carries no role claim */
  DATA_API_DEFAULT_ROLE: z.string().default('authenticated'),
  /** HS256/384/512 shared secret; embedded mode generates one in DATA_API_DIR when unset (and no JWKS is set) */
  DATA_API_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** the secret is base64: its decoded bytes are the key */
  DATA_API_JWT_SECRET_IS_BASE64: bool.default(false),
  /** an identity provider's JWKS endpoint (https://…/.well-known/jwks.json) */
  DATA_API_JWKS_URL: httpUrl.optional(),
  /** an inline JWKS: {"keys": [...]} (public keys: RSA, EC, OKP) */
  DATA_API_JWKS: z
    .string()
    .transform((text, ctx) => {
      try {
        const value = JSON.parse(text) as unknown
        if (typeof value === 'object' && value !== null && Array.isArray((value as { keys?: unknown }).keys)) return value as InlineJwks
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: 'must be a JSON Web Key Set: {"keys": [...]}' })
      return z.NEVER
    })
    .optional(),
  /** accepted audiences, comma-separated: a token's aud (string or array) must contain one */
  DATA_API_JWT_AUD: csv.optional(),
  /** accepted issuers, comma-separated: a token's iss must be one */
  DATA_API_JWT_ISSUER: csv.optional(),
  /** where the role is in the claims, JSPath-like: `.role`, `.app_metadata.role`, `."https://x/role"` */
  DATA_API_ROLE_CLAIM_KEY: z
    .string()
    .regex(/^(\.("([^"\\]|\\.)*"|[^."[\]]+)(\[\d+\])*)+$/, 'must look like .role, .app_metadata.role or ."https://example.com/role"')
    .default('.role'),
  /** clock skew allowed on exp and nbf, in seconds */
  DATA_API_JWT_LEEWAY: z
    .string()
    .regex(/^\d+$/, 'must be a whole number of seconds')
    .transform(Number)
    .default(30),
  /** longest a verified token is cached, seconds; 0 verifies every request (jwt-cache-max-lifetime) */
  DATA_API_JWT_CACHE_MAX_LIFETIME: z
    .string()
    .regex(/^\d+$/, 'must be a whole number of seconds')
    .transform(Number)
    .default(300),
  DATA_API_ADMIN_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  DATA_API_CORS_ORIGINS: csv.optional(),
  DATA_API_MAX_BODY_BYTES: z
    .string()
    .regex(/^\d+$/, 'must be a whole number of bytes')
    .transform(Number)
    .default(10 * 1024 * 1024),
  /** PostgREST's db-tx-end: whether requests commit, and whether `Prefer: tx=` may override it */
  DATA_API_TX_END: z.enum(['commit', 'commit-allow-override', 'rollback', 'rollback-allow-override']).default('commit'),
  DATA_API_AGGREGATES_ENABLED: bool.default(false),
  /** `schema.function` run after the request context is set and before the main query (db-pre-request) */
  DATA_API_PRE_REQUEST: z
    .string()
    .regex(/^[^.]+(\.[^.]+)?$/, 'must be a function name, optionally schema-qualified: schema.function')
    .transform((s) => (s.includes('.') ? { schema: s.slice(0, s.indexOf('.')), name: s.slice(s.indexOf('.') + 1) } : { schema: '', name: s }))
    .optional(),
  /** `schema.function` answering GET / instead of the OpenAPI document (db-root-spec) */
  DATA_API_ROOT_SPEC: z
    .string()
    .regex(/^[^.]+(\.[^.]+)?$/, 'must be a function name, optionally schema-qualified: schema.function')
    .transform((s) => (s.includes('.') ? { schema: s.slice(0, s.indexOf('.')), name: s.slice(s.indexOf('.') + 1) } : { schema: '', name: s }))
    .optional(),
  /** a request header echoed on the response, e.g. X-Request-Id (server-trace-header) */
  DATA_API_SERVER_TRACE_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name')
    .optional(),
  /** the OpenAPI document at the root: only what the role may use, everything, or none (PGRST126) */
  DATA_API_OPENAPI_MODE: z.enum(['follow-privileges', 'ignore-privileges', 'disabled']).default('follow-privileges'),
  /** answers carry a Server-Timing header with each stage's duration (server-timing-enabled) */
  DATA_API_SERVER_TIMING_ENABLED: bool.default(false),
  /** the OpenAPI document declares JWT bearer security (openapi-security-active) */
  DATA_API_OPENAPI_SECURITY_ACTIVE: bool.default(false),
  /** the public URL the OpenAPI document names instead of the address the request reached (openapi-server-proxy-uri) */
  DATA_API_OPENAPI_SERVER_PROXY_URI: httpUrl.optional(),
  /** `Accept: application/vnd.pgrst.plan` answers the EXPLAIN of the main query (db-plan-enabled) */
  DATA_API_PLAN_ENABLED: bool.default(false),
  DATA_API_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).default('info'),
})

/** An inline JSON Web Key Set, as parsed from DATA_API_JWKS. */
export type InlineJwks = Readonly<{ keys: readonly Readonly<Record<string, unknown>>[] }>

export type AppConfig = Readonly<{
  databaseUrl: string | undefined
  dataDir: string
  embeddedName: string
  host: string
  port: number
  poolSize: number
  /** server processes sharing the port; each has its own pool of poolSize connections */
  workers: number
  schemas: readonly string[]
  extraSearchPath: readonly string[]
  maxRows: number | undefined
  anonRole: string | undefined
  defaultRole: string
  jwtSecret: string | undefined
  jwtSecretIsBase64: boolean
  /** an identity provider's JWKS endpoint */
  jwksUrl: string | undefined
  /** an inline key set */
  jwks: InlineJwks | undefined
  /** accepted audiences (a token's aud must contain one); undefined = not checked */
  jwtAudience: readonly string[] | undefined
  /** accepted issuers; undefined = not checked */
  jwtIssuer: readonly string[] | undefined
  /** JSPath-like key of the role claim, default `.role` */
  roleClaimKey: string
  /** clock skew allowed on exp/nbf, seconds */
  jwtLeewaySeconds: number
  /** longest a verified token is cached, seconds (never past its exp); 0 = no cache */
  jwtCacheMaxLifetimeSeconds: number
  /** false when the database's settings say `data-api disable` was run */
  apiEnabled: boolean
  adminKey: string | undefined
  corsOrigins: readonly string[] | undefined
  aggregatesEnabled: boolean
  /** db-pre-request: called in every request's transaction before the main query */
  preRequest: Readonly<{ schema: string; name: string }> | undefined
  /** db-root-spec: the function answering GET / */
  rootSpec: Readonly<{ schema: string; name: string }> | undefined
  /** server-trace-header: echoed from the request on every REST answer */
  serverTraceHeader: string | undefined
  /** app.settings.*: from DATA_API_APP_SETTINGS_<NAME> variables, set in every request's transaction */
  appSettings: Readonly<Record<string, string>>
  openApiMode: 'follow-privileges' | 'ignore-privileges' | 'disabled'
  /** a Server-Timing header on REST answers */
  serverTimingEnabled: boolean
  /** declare JWT bearer security in the OpenAPI document */
  openApiSecurityActive: boolean
  /** the public base URL of the API, for the OpenAPI document behind a proxy */
  openApiServerProxyUri: string | undefined
  planEnabled: boolean
  maxBodyBytes: number
  txEnd: 'commit' | 'commit-allow-override' | 'rollback' | 'rollback-allow-override'
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent'
  /** the built-in auth service (DATA_API_AUTH_*, see auth-service-config.ts) */
  authService: AuthServiceConfig
  /**
   * The fields set explicitly (by an environment variable or an override) rather than defaulted.
   * Settings stored in the database (data_api.settings) apply to every other field.
   */
  explicit?: readonly (keyof AppConfig)[]
}>
