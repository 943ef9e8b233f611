/**
 * The built-in auth service (Neon Auth compatible): Better Auth mounted at /{db}/auth, keeping users,
 * sessions, accounts, verifications and signing keys in schema `neon_auth` of the served database.
 *
 * openAuthService() prepares what needs no URL (tables, secret, database connection); start() builds
 * Better Auth once the server knows its address. On PGlite the service talks to the server's own
 * PGlite instance through a Kysely dialect that leases it (pglite-dialect.ts); on PostgreSQL it has a
 * small pool of its own whose search_path is neon_auth.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { betterAuth } from 'better-auth'
import { bearer, openAPI } from 'better-auth/plugins'
import { createJwk, jwt, signJWT, type JwtOptions } from 'better-auth/plugins/jwt'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import type { Logger } from 'pino'
import type { AuthServiceConfig } from '../config/auth-service-config.js'
import type { Database } from '../db/database.js'
import { handleAuthHttp, CLIENT_IP_HEADER } from './auth-http.js'
import { createBuiltInVerifier, KEY_GRACE_SECONDS, type BuiltInVerifier } from './built-in-verifier.js'
import { createPrintingEmailSender, createUnsentEmailSender, createWebhookEmailSender, resetPasswordEmail, verificationEmail, type EmailSender } from './email.js'
import { JWT_LIFETIME_SECONDS, neonAuthPlugin, userClaims } from './neon-plugin.js'
import { PgliteLeaseDialect } from './pglite-dialect.js'
import { migrateAuthSchema, serviceSecret } from './schema.js'
import { isTrustedOrigin } from './trusted-origins.js'

export type AuthServiceOptions = Readonly<{
  db: Database
  settings: AuthServiceConfig
  /** PostgreSQL URL (the service opens a few connections of its own); undefined on PGlite */
  databaseUrl: string | undefined
  /** the Data API's anonymous role: what `token/anonymous` tokens name (undefined: refused) */
  anonRole: string | undefined
  logger: Logger
  emailSender?: EmailSender
}>

export type RotateResult = Readonly<{ kid: string; retired: number; revoked: boolean }>

export interface AuthService {
  /** `/{db}/auth` */
  readonly basePath: string
  /** Trusts the service's keys (and hands other tokens to `fallback`). */
  readonly verifier: BuiltInVerifier
  /** Builds Better Auth for a server reachable at `serverUrl` (the configured public URL wins). */
  start(serverUrl: string): Promise<void>
  /** The public URL of the service, once started. */
  url(): string
  /** Whether this request path belongs to the service. */
  handles(path: string): boolean
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>
  /** A new signing key; the old ones verify for KEY_GRACE_SECONDS more, or never again with `revoke`. */
  rotateKeys(options?: Readonly<{ revoke?: boolean }>): Promise<RotateResult>
  /** Signs these claims with the current key (iss/aud and, unless given, a 15-minute exp added). */
  signToken(claims: Readonly<Record<string, unknown>>): Promise<string>
  /** Applies changed settings (trusted origins, sign-up...) from the next request on. */
  reconfigure(settings: AuthServiceConfig, anonRole: string | undefined): Promise<void>
  close(): Promise<void>
}

/** What the service uses of a Better Auth instance. */
type BetterAuthInstance = Readonly<{ handler: (request: Request) => Promise<Response>; $context: Promise<unknown> }>

export const JWT_OPTIONS: JwtOptions = {
  jwks: { keyPairConfig: { alg: 'EdDSA', crv: 'Ed25519' }, gracePeriod: KEY_GRACE_SECONDS },
  jwt: {
    expirationTime: `${JWT_LIFETIME_SECONDS}s`,
    definePayload: ({ user }) => userClaims(user as unknown as Record<string, unknown>),
  },
}

function authDatabase(options: AuthServiceOptions): { kysely: Kysely<unknown>; close: () => Promise<void> } {
  if (options.db.kind === 'pglite') {
    return { kysely: new Kysely({ dialect: new PgliteLeaseDialect(options.db, { searchPath: 'neon_auth' }) }), close: async () => {} }
  }
  if (!options.databaseUrl) throw new Error('auth service: a PostgreSQL database needs its URL')
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 4, application_name: 'data-api-auth', idleTimeoutMillis: 30_000 })
  pool.on('error', () => {})
  // Tables are qualified in each query (withSchema), not found through a session's search_path: behind
  // a pooler in transaction mode a SET lasts only as long as the pooler keeps the session ours
  const root = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) })
  return { kysely: root.withSchema('neon_auth'), close: () => root.destroy() }
}

function betterAuthLogger(logger: Logger) {
  const log = logger.child({ component: 'auth' })
  return {
    level: 'warn' as const,
    log: (level: 'debug' | 'info' | 'success' | 'warn' | 'error', message: string, ...args: unknown[]) => {
      const detail = args.length > 0 ? { args: args.map((a) => (a instanceof Error ? { message: a.message } : a)) } : {}
      if (level === 'error') log.error(detail, message)
      else if (level === 'warn') log.warn(detail, message)
      else log.debug(detail, message)
    },
  }
}

export async function openAuthService(options: AuthServiceOptions): Promise<AuthService> {
  const { db, logger } = options
  let settings = options.settings
  let anonRole = options.anonRole
  await migrateAuthSchema(db)
  const secret = await serviceSecret(db, settings.secret)
  const database = authDatabase(options)
  const basePath = `/${db.name}/auth`
  const emails =
    options.emailSender ??
    (settings.emailWebhookUrl
      ? createWebhookEmailSender(settings.emailWebhookUrl)
      : settings.printEmails
        ? createPrintingEmailSender()
        : createUnsentEmailSender(logger))
  if (!options.emailSender && !settings.emailWebhookUrl) {
    logger.warn(
      settings.printEmails
        ? `Auth service of ${db.name}: emails (verification, password reset) are printed on standard error (DATA_API_AUTH_PRINT_EMAILS), for development only`
        : `Auth service of ${db.name}: no email transport, so verification and password-reset emails are not sent; set DATA_API_AUTH_EMAIL_WEBHOOK (or DATA_API_AUTH_PRINT_EMAILS=true while developing)`,
    )
  }
  const send = async (message: Parameters<EmailSender['send']>[0]) => {
    try {
      await emails.send(message)
    } catch (err) {
      logger.error({ err, to: message.to }, `Sending the ${message.kind} email failed`)
    }
  }
  const verifier = createBuiltInVerifier({ db })

  if (settings.url !== undefined && new URL(settings.url).pathname.replace(/\/+$/, '') !== basePath) {
    logger.warn(`DATA_API_AUTH_URL should end in ${basePath} (the path the service is served at)`)
  }

  let auth: BetterAuthInstance | undefined
  let publicUrl = ''
  let started: () => void = () => {}
  const ready = new Promise<void>((resolve) => {
    started = resolve
  })

  function build(origin: string): BetterAuthInstance {
    const secure = origin.startsWith('https:')
    return betterAuth({
      appName: 'data-api',
      baseURL: origin,
      basePath,
      secret,
      database: { db: database.kysely, type: 'postgres', transaction: db.kind === 'postgres' },
      telemetry: { enabled: false },
      logger: betterAuthLogger(logger),
      onAPIError: {
        onError: (err) => {
          const status = (err as { statusCode?: unknown }).statusCode
          if (typeof status === 'number' && status < 500) logger.debug({ err }, 'Auth request refused')
          else logger.error({ err }, 'Auth request failed')
        },
      },
      trustedOrigins: (request?: Request) => {
        const origin = request?.headers.get('origin')
        const extra = origin && isTrustedOrigin(origin, { ...settings, trustedOrigins: [] }) ? [origin] : []
        return [...settings.trustedOrigins, ...extra]
      },
      emailAndPassword: {
        enabled: true,
        disableSignUp: !settings.signUpEnabled,
        requireEmailVerification: settings.requireEmailVerification,
        minPasswordLength: settings.minPasswordLength,
        maxPasswordLength: settings.maxPasswordLength,
        sendResetPassword: async ({ user, url }) => send(resetPasswordEmail(user.email, url)),
      },
      emailVerification: {
        sendOnSignUp: settings.requireEmailVerification,
        autoSignInAfterVerification: true,
        sendVerificationEmail: async ({ user, url }) => send(verificationEmail(user.email, url)),
      },
      rateLimit: {
        enabled: true,
        storage: 'database',
        window: 10,
        max: 100,
        customRules: {
          '/sign-in/*': { window: settings.rateLimitWindowSeconds, max: settings.signInLimit },
          '/sign-up/*': { window: settings.rateLimitWindowSeconds, max: settings.signUpLimit },
        },
      },
      advanced: {
        cookiePrefix: 'neon-auth',
        useSecureCookies: secure,
        disableOriginCheck: false,
        // scoped to this database's auth path: each database (and branch) on the host keeps its own session
        defaultCookieAttributes: { httpOnly: true, secure, sameSite: secure ? 'none' : 'lax', path: basePath },
        ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER], trustedProxies: [...settings.trustedProxies] },
        database: { generateId: 'uuid' },
      },
      plugins: [jwt(JWT_OPTIONS), bearer(), openAPI({ disableDefaultReference: true }), neonAuthPlugin({ jwt: JWT_OPTIONS, anonymousRole: anonRole })],
    })
  }

  const service: AuthService = {
    basePath,
    verifier,
    async start(serverUrl) {
      publicUrl = settings.url ?? `${serverUrl}${basePath}`
      auth = build(new URL(publicUrl).origin)
      await auth.$context
      started()
    },
    url: () => publicUrl,
    handles: (path) => path === basePath || path.startsWith(`${basePath}/`),
    async handle(req, res) {
      await ready
      await handleAuthHttp(req, res, { auth: auth!, basePath, settings, ownOrigin: new URL(publicUrl).origin })
    },
    async rotateKeys(rotate = {}) {
      if (!auth) await service.start('http://localhost')
      const context = await auth!.$context
      const created = (await createJwk({ context } as never, JWT_OPTIONS)) as { id: string }
      const kid = String(created.id)
      const retired = rotate.revoke
        ? await db.query(`DELETE FROM neon_auth."jwks" WHERE "id" <> $1::uuid RETURNING "id"`, [kid])
        : await db.query(
            `UPDATE neon_auth."jwks" SET "expiresAt" = now() WHERE "id" <> $1::uuid AND ("expiresAt" IS NULL OR "expiresAt" > now()) RETURNING "id"`,
            [kid],
          )
      verifier.invalidate()
      // every server serving this database (this one included) re-reads the keys and forgets the
      // tokens it verified, so a revoked key's tokens are refused at once, not when the cache expires
      await db.query(`SELECT pg_notify('data_api', 'reload keys')`)
      return { kid, retired: retired.length, revoked: rotate.revoke === true }
    },
    async signToken(claims) {
      if (!auth) await service.start('http://localhost')
      const context = await auth!.$context
      return signJWT({ context } as never, { options: JWT_OPTIONS, payload: { iat: Math.floor(Date.now() / 1000), ...claims } })
    },
    async reconfigure(next, nextAnonRole) {
      settings = next
      anonRole = nextAnonRole
      if (!auth) return
      const rebuilt = build(new URL(publicUrl).origin)
      await rebuilt.$context
      auth = rebuilt
    },
    async close() {
      await database.close()
    },
  }
  return service
}

/**
 * Whether this server runs the built-in auth service and trusts its keys: as configured, else in
 * embedded mode, else when no other way to verify tokens (JWT secret, JWKS) is configured.
 */
export function resolveAuthProvider(
  config: Readonly<{ databaseUrl: string | undefined; jwtSecret: string | undefined; jwksUrl?: string | undefined; jwks?: unknown; authService: AuthServiceConfig }>,
): 'built-in' | 'external' {
  if (config.authService.provider) return config.authService.provider
  if (config.databaseUrl === undefined) return 'built-in'
  return config.jwtSecret || config.jwksUrl || config.jwks ? 'external' : 'built-in'
}
