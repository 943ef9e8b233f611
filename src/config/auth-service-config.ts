/**
 * Operator settings of the built-in auth service (src/auth-service), read from the environment by
 * load-config.ts. Kept apart from app-config.ts so the service's knobs stay in one place. Which
 * provider runs, the trusted origins, localhost and sign-up are per-database settings
 * (settings-catalog.ts); this module holds their server-wide defaults.
 */
import { z } from 'zod'
import { csv, httpUrl } from './env-types.js'

export type AuthProvider = 'built-in' | 'external'

export type AuthServiceConfig = Readonly<{
  /**
   * `built-in`: serve /{db}/auth and trust its keys; `external`: neither (tokens come from another
   * provider). undefined: built-in in embedded mode or when no JWT secret or JWKS is configured.
   */
  provider: AuthProvider | undefined
  /** the stored or pinned auth_provider setting this came from, when one was given */
  providerSetting?: 'neon_auth' | 'external' | 'none'
  /** the service's public URL (`https://api.example.com/neondb/auth`); default: the server's own */
  url: string | undefined
  /** signs session cookies and encrypts the private keys; default: generated and kept in neon_auth */
  secret: string | undefined
  /** origins allowed to call the service from a browser (with cookies), exact or with `*` wildcards */
  trustedOrigins: readonly string[]
  /** any http(s)://localhost or 127.0.0.1 port is trusted too (default: unless NODE_ENV=production) */
  allowLocalhost: boolean
  signUpEnabled: boolean
  /** sign-in refused until the address is verified; sign-up then sends a verification link */
  requireEmailVerification: boolean
  minPasswordLength: number
  maxPasswordLength: number
  /** attempts per client address per window on sign-in and on sign-up; other routes: 100 */
  rateLimitWindowSeconds: number
  signInLimit: number
  signUpLimit: number
  /** proxies (IPs or CIDR ranges) whose X-Forwarded-For is believed when telling client addresses apart */
  trustedProxies: readonly string[]
  /** where emails go: JSON POSTed to this URL; undefined = not sent (their links never go to the log) */
  emailWebhookUrl: string | undefined
  /** development only: print emails, links included, on standard error */
  printEmails: boolean
}>

const count = z.string().regex(/^[1-9]\d*$/, 'must be a positive whole number').transform(Number)

export const authServiceEnvSchema = z.object({
  DATA_API_AUTH_URL: httpUrl.optional(),
  DATA_API_AUTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  DATA_API_AUTH_MIN_PASSWORD_LENGTH: count.default(8),
  DATA_API_AUTH_MAX_PASSWORD_LENGTH: count.default(128),
  DATA_API_AUTH_RATE_LIMIT_WINDOW: count.default(60),
  DATA_API_AUTH_SIGN_IN_LIMIT: count.default(10),
  DATA_API_AUTH_SIGN_UP_LIMIT: count.default(5),
  DATA_API_TRUSTED_PROXIES: csv.default([]),
  DATA_API_AUTH_EMAIL_WEBHOOK: z.string().url('must be an http(s) URL').optional(),
  DATA_API_AUTH_PRINT_EMAILS: z.enum(['true', 'false']).transform((v) => v === 'true').default(false),
  NODE_ENV: z.string().optional(),
})

export const DEFAULT_AUTH_SERVICE_CONFIG: AuthServiceConfig = {
  provider: undefined,
  url: undefined,
  secret: undefined,
  trustedOrigins: [],
  allowLocalhost: true,
  signUpEnabled: true,
  requireEmailVerification: false,
  minPasswordLength: 8,
  maxPasswordLength: 128,
  rateLimitWindowSeconds: 60,
  signInLimit: 10,
  signUpLimit: 5,
  trustedProxies: [],
  emailWebhookUrl: undefined,
  printEmails: false,
}

/** The settings from the environment, or the problems found, one line per variable. */
export function parseAuthServiceEnv(
  env: Readonly<Record<string, string | undefined>>,
): { ok: true; config: AuthServiceConfig } | { ok: false; issues: string[] } {
  const parsed = authServiceEnvSchema.safeParse(env)
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`) }
  const c = parsed.data
  if (c.DATA_API_AUTH_MIN_PASSWORD_LENGTH > c.DATA_API_AUTH_MAX_PASSWORD_LENGTH) {
    return { ok: false, issues: ['  DATA_API_AUTH_MIN_PASSWORD_LENGTH: must not exceed DATA_API_AUTH_MAX_PASSWORD_LENGTH'] }
  }
  return {
    ok: true,
    config: {
      provider: undefined,
      url: c.DATA_API_AUTH_URL?.replace(/\/+$/, ''),
      secret: c.DATA_API_AUTH_SECRET,
      // per-database settings (settings-catalog.ts) whose defaults live here
      trustedOrigins: [],
      allowLocalhost: c.NODE_ENV !== 'production',
      signUpEnabled: true,
      requireEmailVerification: false,
      minPasswordLength: c.DATA_API_AUTH_MIN_PASSWORD_LENGTH,
      maxPasswordLength: c.DATA_API_AUTH_MAX_PASSWORD_LENGTH,
      rateLimitWindowSeconds: c.DATA_API_AUTH_RATE_LIMIT_WINDOW,
      signInLimit: c.DATA_API_AUTH_SIGN_IN_LIMIT,
      signUpLimit: c.DATA_API_AUTH_SIGN_UP_LIMIT,
      trustedProxies: c.DATA_API_TRUSTED_PROXIES,
      emailWebhookUrl: c.DATA_API_AUTH_EMAIL_WEBHOOK,
      printEmails: c.DATA_API_AUTH_PRINT_EMAILS,
    },
  }
}
