/**
 * The per-database settings of who issues tokens and of the built-in auth service (group `auth`, set
 * by the auth operations); part of the one list in settings-catalog.ts.
 */
import { z } from 'zod'
import { bool, csv, httpUrl } from './env-types.js'
import { spec, type SettingSpec } from './setting-spec.js'

/** One identity provider whose JWKS the Data API trusts (the hosted product's JWKS object). */
export type JwksProvider = Readonly<{
  id: string
  jwks_url: string
  provider_name: string
  jwt_audience?: string
  created_at: string
  updated_at: string
}>

const jwksProvider = z.object({
  id: z.string().min(1),
  jwks_url: z.string().regex(/^https?:\/\/\S+$/i, 'must be an http(s) URL'),
  provider_name: z.string().min(1),
  jwt_audience: z.string().min(1).optional(),
  created_at: z.string(),
  updated_at: z.string(),
})

export type AuthProviderSetting = 'neon_auth' | 'external' | 'none'

export const AUTH_SETTINGS: readonly SettingSpec[] = [
  spec<AuthProviderSetting | null>({
    key: 'auth_provider',
    field: 'authService',
    group: 'auth',
    env: 'DATA_API_AUTH_PROVIDER',
    hosted: false,
    description:
      '`neon_auth`: the built-in auth service at /{db}/auth issues tokens; `external`: an identity provider’s JWKS (see jwks); `none`: neither (tokens signed with DATA_API_JWT_SECRET only); null: the built-in service unless a JWT secret or JWKS is configured on PostgreSQL',
    schema: z.union([z.enum(['neon_auth', 'external', 'none']), z.null()]),
    fromEnv: z.enum(['built-in', 'external', 'neon_auth', 'none']).transform((v) => (v === 'built-in' ? 'neon_auth' : v)),
    default: null,
    apply: (c, v) => {
      if (v !== null) c.authService = { ...c.authService, provider: v === 'neon_auth' ? 'built-in' : 'external', providerSetting: v }
    },
    read: (c) => c.authService.providerSetting ?? (c.authService.provider === 'built-in' ? 'neon_auth' : c.authService.provider === 'external' ? 'external' : null),
    flag: 'string',
  }),
  spec<JwksProvider[]>({
    key: 'jwks',
    field: 'jwksUrl',
    group: 'auth',
    env: 'DATA_API_JWKS_URL',
    hosted: false,
    description: 'the identity providers whose JWKS verifies tokens (the first is used); managed with the jwks operations',
    schema: z.array(jwksProvider),
    fromEnv: httpUrl.transform((url) => [{ id: 'environment', jwks_url: url, provider_name: 'DATA_API_JWKS_URL', created_at: '', updated_at: '' }]),
    default: [],
    apply: (c, v) => {
      c.jwksUrl = v[0]?.jwks_url
      if (v[0]?.jwt_audience && !c.jwtAudience) c.jwtAudience = [v[0].jwt_audience]
    },
    read: (c) => (c.jwksUrl ? [{ id: 'environment', jwks_url: c.jwksUrl, provider_name: 'configured', created_at: '', updated_at: '' }] : []),
    flag: 'string',
  }),
  spec<string[] | null>({
    key: 'jwt_audience',
    field: 'jwtAudience',
    group: 'auth',
    env: 'DATA_API_JWT_AUD',
    hosted: false,
    description: 'accepted token audiences: a token’s aud must contain one; null = not checked (a JWKS provider may name its own)',
    schema: z.union([z.array(z.string().min(1)).min(1), z.null()]),
    fromEnv: csv.refine((l) => l.length > 0, 'name at least one audience'),
    default: null,
    apply: (c, v) => void (v !== null && (c.jwtAudience = v)),
    read: (c) => (c.jwtAudience ? [...c.jwtAudience] : null),
    flag: 'list',
  }),
  spec<string[] | null>({
    key: 'jwt_issuer',
    field: 'jwtIssuer',
    group: 'auth',
    env: 'DATA_API_JWT_ISSUER',
    hosted: false,
    description: 'accepted token issuers; null = not checked',
    schema: z.union([z.array(z.string().min(1)).min(1), z.null()]),
    fromEnv: csv.refine((l) => l.length > 0, 'name at least one issuer'),
    default: null,
    apply: (c, v) => void (c.jwtIssuer = v ?? undefined),
    read: (c) => (c.jwtIssuer ? [...c.jwtIssuer] : null),
    flag: 'list',
  }),
  spec<string[]>({
    key: 'auth_trusted_origins',
    field: 'authService',
    group: 'auth',
    env: 'DATA_API_AUTH_TRUSTED_ORIGINS',
    hosted: false,
    description: 'origins the built-in auth service trusts (browser calls with cookies, redirects), exact or with `*` wildcards',
    schema: z.array(z.string().regex(/^https?:\/\/\S+$/i, 'must be an http(s) origin such as https://app.example.com')),
    fromEnv: csv,
    default: [],
    apply: (c, v) => void (c.authService = { ...c.authService, trustedOrigins: v }),
    read: (c) => [...c.authService.trustedOrigins],
    flag: 'list',
  }),
  spec<boolean>({
    key: 'auth_allow_localhost',
    field: 'authService',
    group: 'auth',
    env: 'DATA_API_AUTH_ALLOW_LOCALHOST',
    hosted: false,
    description: 'the built-in auth service also trusts any http(s)://localhost or 127.0.0.1 port (default: unless NODE_ENV=production)',
    schema: z.boolean(),
    fromEnv: bool,
    default: true,
    apply: (c, v) => void (c.authService = { ...c.authService, allowLocalhost: v }),
    read: (c) => c.authService.allowLocalhost,
    flag: 'boolean',
  }),
  spec<boolean>({
    key: 'auth_sign_up_enabled',
    field: 'authService',
    group: 'auth',
    env: 'DATA_API_AUTH_SIGN_UP',
    hosted: false,
    description: 'the built-in auth service accepts new users (email and password sign-up)',
    schema: z.boolean(),
    fromEnv: bool,
    default: true,
    apply: (c, v) => void (c.authService = { ...c.authService, signUpEnabled: v }),
    read: (c) => c.authService.signUpEnabled,
    flag: 'boolean',
  }),
  spec<boolean>({
    key: 'auth_require_email_verification',
    field: 'authService',
    group: 'auth',
    env: 'DATA_API_AUTH_REQUIRE_EMAIL_VERIFICATION',
    hosted: false,
    description: 'sign-in is refused until the address is verified; sign-up then sends a verification link',
    schema: z.boolean(),
    fromEnv: bool,
    default: false,
    apply: (c, v) => void (c.authService = { ...c.authService, requireEmailVerification: v }),
    read: (c) => c.authService.requireEmailVerification,
    flag: 'boolean',
  }),
]
