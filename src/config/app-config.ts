/**
 * The configuration one database is served with: the server-level values from the environment,
 * and the per-database settings (settings-catalog.ts) resolved from defaults, the database's stored
 * settings and the environment (resolve-config.ts). Built by the config module only, passed down as
 * a value.
 */
import { z } from 'zod'
import type { AuthServiceConfig } from './auth-service-config.js'
import { bool, httpUrl } from './env-types.js'

/** Database names data-api serves: safe in a URL path and as a folder name. */
export const DATABASE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,62}$/

/**
 * The server-level variables: where the data is, where to listen, secrets and limits. The
 * per-database settings' variables are declared in settings-catalog.ts.
 */
export const configSchema = z.object({
  /** serve a real PostgreSQL; unset = embedded PGlite */
  DATABASE_URL: z
    .string()
    .refine((u) => /^postgres(ql)?:\/\/./i.test(u), 'must be a postgres:// or postgresql:// URL (unset it to use the embedded database)')
    .refine((u) => URL.canParse(u), 'is not a valid URL (percent-encode special characters in the password)')
    .optional(),
  /**
   * the same PostgreSQL reached directly, not through a pooler: LISTEN (schema reloads) and creating,
   * copying and dropping databases need a session of their own; default DATABASE_URL
   */
  DATABASE_DIRECT_URL: z
    .string()
    .refine((u) => /^postgres(ql)?:\/\/./i.test(u), 'must be a postgres:// or postgresql:// URL')
    .refine((u) => URL.canParse(u), 'is not a valid URL (percent-encode special characters in the password)')
    .optional(),
  /** false behind a pooler in transaction mode (PgBouncer before 1.21): every statement parsed unnamed */
  DATA_API_DB_PREPARED_STATEMENTS: bool.default(true),
  /** where the embedded databases and local state (secrets, server.json) live */
  DATA_API_DIR: z.string().default('./.data-api'),
  /** the database served without naming one (the embedded database's name; PostgreSQL: DATABASE_URL's) */
  DATA_API_DB_NAME: z.string().regex(DATABASE_NAME, 'must be letters, digits, _ or - (at most 63)').default('neondb'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z
    .string()
    .regex(/^\d+$/, 'must be a port number (0 picks a free one)')
    .transform(Number)
    .refine((n) => n <= 65535, 'must be a port number (0 picks a free one)')
    .default(3000),
  /** embedded: the port the default database is reachable on over the Postgres protocol (127.0.0.1); `off` turns it off */
  DATA_API_WIRE_PORT: z
    .string()
    .regex(/^(off|\d+)$/, 'must be a port number, or off')
    .refine((v) => v === 'off' || Number(v) <= 65535, 'must be a port number, or off')
    .optional(),
  /** the URL clients reach this server at (behind a proxy); default: the address it listens on */
  DATA_API_PUBLIC_URL: httpUrl.transform((u) => u.replace(/\/+$/, '')).optional(),
  /** the project id the management API answers for (`/api/v2/projects/{id}`) */
  DATA_API_PROJECT_ID: z.string().regex(/^[a-z0-9-]{1,60}$/, 'must be 1-60 lowercase letters, digits or -').default('local'),
  DATA_API_POOL_SIZE: z
    .string()
    .regex(/^[1-9]\d*$/, 'must be a whole number of connections, at least 1')
    .transform(Number)
    .default(10),
  /** seconds a request waits for a PostgreSQL connection before 503 PGRST003 */
  DATA_API_POOL_TIMEOUT: z
    .string()
    .regex(/^[1-9]\d*$/, 'must be a whole number of seconds, at least 1')
    .transform(Number)
    .default(10),
  /** databases with an open pool (or embedded instance) at once; the least recently used idle one closes first */
  DATA_API_MAX_OPEN_DATABASES: z
    .string()
    .regex(/^[1-9]\d*$/, 'must be a whole number of databases, at least 1')
    .transform(Number)
    .optional(),
  /** a database that served no request for this long closes its pool (never the default database) */
  DATA_API_DATABASE_IDLE_SECONDS: z
    .string()
    .regex(/^\d+$/, 'must be a whole number of seconds')
    .transform(Number)
    .default(300),
  /** server processes sharing the port (node:cluster); PostgreSQL only */
  DATA_API_WORKERS: z
    .string()
    .regex(/^[1-9]\d*$/, 'must be a whole number of processes, at least 1')
    .transform(Number)
    .default(1),
  /** HS256/384/512 shared secret; embedded mode generates one in DATA_API_DIR when unset (and no JWKS is set) */
  DATA_API_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** the secret is base64: its decoded bytes are the key */
  DATA_API_JWT_SECRET_IS_BASE64: bool.default(false),
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
  /** clock skew allowed on exp and nbf, in seconds */
  DATA_API_JWT_LEEWAY: z
    .string()
    .regex(/^\d+$/, 'must be a whole number of seconds')
    .transform(Number)
    .default(30),
  DATA_API_ADMIN_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  DATA_API_MAX_BODY_BYTES: z
    .string()
    .regex(/^\d+$/, 'must be a whole number of bytes')
    .transform(Number)
    .default(10 * 1024 * 1024),
  /** a request must arrive whole (headers and body) within this many seconds, else 408 */
  DATA_API_REQUEST_TIMEOUT: z
    .string()
    .regex(/^[1-9]\d*$/, 'must be a whole number of seconds, at least 1')
    .transform(Number)
    .default(30),
  /** requests answered at once; more answer 503 with Retry-After */
  DATA_API_MAX_CONCURRENT_REQUESTS: z
    .string()
    .regex(/^[1-9]\d*$/, 'must be a whole number of requests, at least 1')
    .transform(Number)
    .default(1000),
  DATA_API_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).default('info'),
})

/** An inline JSON Web Key Set, as parsed from DATA_API_JWKS. */
export type InlineJwks = Readonly<{ keys: readonly Readonly<Record<string, unknown>>[] }>

export type AppConfig = Readonly<{
  databaseUrl: string | undefined
  /** DATABASE_URL's cluster without the pooler, for LISTEN and database-level work; undefined = databaseUrl */
  databaseDirectUrl: string | undefined
  /** named prepared statements on PostgreSQL connections (off behind a transaction-mode pooler) */
  preparedStatements: boolean
  dataDir: string
  /** the database served without naming one: the embedded database, or DATABASE_URL's */
  embeddedName: string
  host: string
  port: number
  /** the URL clients reach this server at; undefined = the address it listens on */
  publicUrl: string | undefined
  /** embedded: the Postgres-protocol port of the default database on 127.0.0.1 (0 = any free one); undefined = off */
  wirePort: number | undefined
  /** the management API's one project */
  projectId: string
  poolSize: number
  /** seconds a request waits for a PostgreSQL connection before 503 PGRST003 */
  poolTimeoutSeconds: number
  /** open database pools (or embedded instances) at most */
  maxOpenDatabases: number
  /** seconds without a request before a database's pool closes; 0 = never */
  databaseIdleSeconds: number
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
  /** seconds a request has to arrive whole */
  requestTimeoutSeconds: number
  /** requests in progress at most */
  maxConcurrentRequests: number
  txEnd: 'commit' | 'commit-allow-override' | 'rollback' | 'rollback-allow-override'
  /** statement_timeout of every request's transaction, ms, unless the role or the called function sets its own; 0 = none set */
  statementTimeoutMs: number
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent'
  /** the built-in auth service (DATA_API_AUTH_*, see auth-service-config.ts) */
  authService: AuthServiceConfig
  /**
   * The settings (settings-catalog.ts keys) pinned for every database: by the environment variable
   * named, or by a value given programmatically ('override'). Stored settings apply to the others.
   */
  pinned: Readonly<Record<string, string>>
}>
