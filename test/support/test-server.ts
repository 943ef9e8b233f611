/**
 * Test support: starts the real server on a random port, on embedded PGlite or on a fresh
 * PostgreSQL database, and gives specs small helpers to talk HTTP to it.
 */
import { SignJWT } from 'jose'
import { startApp, type App } from '../../src/app.js'
import type { AppConfig } from '../../src/config/app-config.js'
import { loadConfig } from '../../src/config/load-config.js'
import { createTempPostgres, databaseUrl } from './temp-postgres.js'

export type Backend = 'pglite' | 'postgres'

/**
 * PGlite always; PostgreSQL too when DATABASE_URL is set (as .ci/run does). DATA_API_TEST_BACKENDS=postgres
 * keeps only the latter: CI's second pass, through PgBouncer, has nothing to add on PGlite.
 */
export const backends: readonly Backend[] =
  process.env.DATA_API_TEST_BACKENDS === 'postgres' && databaseUrl ? ['postgres'] : databaseUrl ? ['pglite', 'postgres'] : ['pglite']

export const JWT_SECRET = 'test-secret-that-is-at-least-32-characters-long'

export type TestServer = Readonly<{
  app: App
  /** `http://127.0.0.1:port/{db}/rest/v1` */
  base: string
  /** `http://127.0.0.1:port/{db}/auth` when the built-in auth service runs */
  authUrl: string | undefined
  /** Runs SQL as the database owner and waits for the schema cache to reload. */
  sql: (script: string) => Promise<void>
  /** An HS256 token for these claims (role defaults to authenticated). */
  token: (claims: Record<string, unknown>, options?: { expiresIn?: string | number }) => Promise<string>
  /** fetch() below base; `path` starts with `/` */
  request: (path: string, init?: RequestInit & { token?: string }) => Promise<Response>
  close: () => Promise<void>
}>

export async function startTestServer(
  backend: Backend,
  overrides: Partial<AppConfig> = {},
  appOptions: Parameters<typeof startApp>[1] = {},
): Promise<TestServer> {
  // a databaseUrl given in overrides (the fault tests' private cluster) is used as it is
  const temp = backend === 'postgres' && overrides.databaseUrl === undefined ? await createTempPostgres() : undefined
  const config = loadConfig(
    // the pooler settings CI's PgBouncer pass sets; nothing else from the environment reaches a test server
    { DATA_API_DB_PREPARED_STATEMENTS: process.env.DATA_API_DB_PREPARED_STATEMENTS },
    {
      databaseUrl: temp?.url,
      databaseDirectUrl: temp?.directUrl,
      dataDir: 'memory://',
      port: 0,
      jwtSecret: JWT_SECRET,
      adminKey: 'test-admin-key-0123456789',
      logLevel: 'silent',
      poolSize: 4,
      wirePort: undefined,
      ...overrides,
    },
  )
  const app = await startApp(config, appOptions).catch(async (err: unknown) => {
    await temp?.drop()
    throw err
  })
  const base = `${app.url}/${app.db.name}/rest/v1`
  const secret = new TextEncoder().encode(config.jwtSecret ?? JWT_SECRET)
  return {
    app,
    base,
    authUrl: app.authService?.url(),
    sql: async (script) => {
      await app.db.exec(script)
      await app.schemaCache.reload()
    },
    token: async (claims, options = {}) =>
      new SignJWT({ role: 'authenticated', ...claims })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? '1h')
        .sign(secret),
    request: (path, init = {}) => {
      const { token, headers, ...rest } = init
      const h = new Headers(headers)
      if (token !== undefined) h.set('Authorization', `Bearer ${token}`)
      return fetch(`${base}${path}`, { ...rest, headers: h })
    },
    close: async () => {
      await app.close()
      await temp?.drop()
    },
  }
}
