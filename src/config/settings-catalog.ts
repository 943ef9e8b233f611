/**
 * Every per-database setting, declared once: its stored/API name (the hosted product's where it has
 * one), the environment variable that pins it, the value's schema, its default, what it means, and
 * how it lands in the AppConfig the server runs with. The effective configuration
 * (resolve-config.ts), the management operations' input, the CLI's settings flags and the settings
 * reference in docs/settings.md are all derived from this list, so none of them can drift.
 */
import { z } from 'zod'
import type { InlineJwks } from './app-config.js'
import { AUTH_SETTINGS } from './auth-settings.js'
import { bool, csv, httpUrl } from './env-types.js'
import { ROLE_CLAIM_KEY, csvText, roleName, spec, splitCsv, wholeNumber, type SettingSpec } from './setting-spec.js'

export type { MutableConfig, SettingGroup, SettingSpec } from './setting-spec.js'
export type { AuthProviderSetting, JwksProvider } from './auth-settings.js'

export const SETTINGS: readonly SettingSpec[] = [
  spec<string[]>({
    key: 'db_schemas',
    field: 'schemas',
    group: 'api',
    env: 'DATA_API_SCHEMAS',
    hosted: true,
    description: 'the schemas the API exposes; the first is the default (roles still need USAGE and table grants)',
    schema: z.array(z.string().min(1, 'a schema name must not be empty')).min(1, 'name at least one schema'),
    fromEnv: csv.refine((l) => l.length > 0, 'name at least one schema'),
    default: ['public'],
    apply: (c, v) => void (c.schemas = v),
    read: (c) => [...c.schemas],
    flag: 'list',
  }),
  spec<string | null>({
    key: 'db_anon_role',
    field: 'anonRole',
    group: 'api',
    env: 'DATA_API_ANON_ROLE',
    hosted: true,
    description: 'the role of requests without a token; null (or `none` in the environment) answers them 401',
    schema: z.union([roleName, z.null()]),
    fromEnv: z.string().transform((s) => (s === 'none' ? null : s)),
    default: 'anonymous',
    apply: (c, v) => void (c.anonRole = v ?? undefined),
    read: (c) => c.anonRole ?? null,
    flag: 'string',
  }),
  spec<number | null>({
    key: 'db_max_rows',
    field: 'maxRows',
    group: 'api',
    env: 'DATA_API_MAX_ROWS',
    hosted: true,
    description: 'the most rows any read returns, at every embedding level; null = no limit',
    schema: z.union([z.number().int('must be a whole number').positive('must be at least 1'), z.null()]),
    fromEnv: wholeNumber('must be a whole number').refine((n) => n > 0, 'must be at least 1'),
    default: null,
    apply: (c, v) => void (c.maxRows = v ?? undefined),
    read: (c) => c.maxRows ?? null,
    flag: 'integer',
  }),
  spec<string>({
    key: 'jwt_role_claim_key',
    field: 'roleClaimKey',
    group: 'api',
    env: 'DATA_API_ROLE_CLAIM_KEY',
    hosted: true,
    description: 'where the role is in the token claims, JSPath-like: `.role`, `.app_metadata.role`, `."https://x/role"`',
    schema: z.string().regex(ROLE_CLAIM_KEY, 'must look like .role, .app_metadata.role or ."https://example.com/role"'),
    fromEnv: z.string().regex(ROLE_CLAIM_KEY, 'must look like .role, .app_metadata.role or ."https://example.com/role"'),
    default: '.role',
    apply: (c, v) => void (c.roleClaimKey = v),
    read: (c) => c.roleClaimKey,
    flag: 'string',
  }),
  spec<string>({
    key: 'server_cors_allowed_origins',
    field: 'corsOrigins',
    group: 'api',
    env: 'DATA_API_CORS_ORIGINS',
    hosted: true,
    description: 'origins allowed to call the API from a browser, comma-separated; empty = any origin (`*`)',
    schema: z.string().refine((s) => splitCsv(s).every((o) => o === '*' || /^https?:\/\/[^/\s]+$/i.test(o)), 'must be a comma list of origins such as https://app.example.com'),
    fromEnv: z.string(),
    default: '',
    apply: (c, v) => void (c.corsOrigins = splitCsv(v).length > 0 ? splitCsv(v) : undefined),
    read: (c) => csvText(c.corsOrigins ?? []),
    flag: 'string',
  }),
  spec<'follow-privileges' | 'ignore-privileges' | 'disabled'>({
    key: 'openapi_mode',
    field: 'openApiMode',
    group: 'api',
    env: 'DATA_API_OPENAPI_MODE',
    hosted: true,
    description: 'the OpenAPI document at the API root: what the role may use (`follow-privileges`), everything (`ignore-privileges`), or none (`disabled`)',
    schema: z.enum(['follow-privileges', 'ignore-privileges', 'disabled']),
    fromEnv: z.enum(['follow-privileges', 'ignore-privileges', 'disabled']),
    default: 'follow-privileges',
    apply: (c, v) => void (c.openApiMode = v),
    read: (c) => c.openApiMode,
    flag: 'string',
  }),
  spec<boolean>({
    key: 'server_timing_enabled',
    field: 'serverTimingEnabled',
    group: 'api',
    env: 'DATA_API_SERVER_TIMING_ENABLED',
    hosted: true,
    description: 'answers carry a Server-Timing header with each stage’s duration',
    schema: z.boolean(),
    fromEnv: bool,
    default: false,
    apply: (c, v) => void (c.serverTimingEnabled = v),
    read: (c) => c.serverTimingEnabled,
    flag: 'boolean',
  }),
  spec<boolean>({
    key: 'db_aggregates_enabled',
    field: 'aggregatesEnabled',
    group: 'api',
    env: 'DATA_API_AGGREGATES_ENABLED',
    hosted: true,
    description: 'allow `count()`, `sum()`, `avg()`, `min()`, `max()` in `select` (off by default, as in PostgREST: an aggregate can scan a whole table)',
    schema: z.boolean(),
    fromEnv: bool,
    default: false,
    apply: (c, v) => void (c.aggregatesEnabled = v),
    read: (c) => c.aggregatesEnabled,
    flag: 'boolean',
  }),
  spec<string>({
    key: 'db_extra_search_path',
    field: 'extraSearchPath',
    group: 'api',
    env: 'DATA_API_EXTRA_SEARCH_PATH',
    hosted: true,
    description: 'schemas appended to every request’s search_path, comma-separated',
    schema: z.string(),
    fromEnv: z.string(),
    default: 'public',
    apply: (c, v) => void (c.extraSearchPath = splitCsv(v)),
    read: (c) => csvText(c.extraSearchPath),
    flag: 'string',
  }),
  spec<number>({
    key: 'jwt_cache_max_lifetime',
    field: 'jwtCacheMaxLifetimeSeconds',
    group: 'api',
    env: 'DATA_API_JWT_CACHE_MAX_LIFETIME',
    hosted: true,
    description: 'the longest a verified token is cached, in seconds (never past its exp); 0 verifies every request',
    schema: z.number().int('must be a whole number of seconds').min(0, 'must not be negative'),
    fromEnv: wholeNumber('must be a whole number of seconds'),
    default: 300,
    apply: (c, v) => void (c.jwtCacheMaxLifetimeSeconds = v),
    read: (c) => c.jwtCacheMaxLifetimeSeconds,
    flag: 'integer',
  }),
  spec<'commit' | 'commit-allow-override' | 'rollback' | 'rollback-allow-override'>({
    key: 'db_tx_end',
    field: 'txEnd',
    group: 'api',
    env: 'DATA_API_TX_END',
    hosted: false,
    description: 'whether requests commit or roll back, and whether `Prefer: tx=` may override it (PostgREST’s db-tx-end)',
    schema: z.enum(['commit', 'commit-allow-override', 'rollback', 'rollback-allow-override']),
    fromEnv: z.enum(['commit', 'commit-allow-override', 'rollback', 'rollback-allow-override']),
    default: 'commit',
    apply: (c, v) => void (c.txEnd = v),
    read: (c) => c.txEnd,
    flag: 'string',
  }),
  spec<string | null>({
    key: 'db_pre_request',
    field: 'preRequest',
    group: 'api',
    env: 'DATA_API_PRE_REQUEST',
    hosted: false,
    description: 'a function, optionally schema-qualified, called in every request’s transaction before its query (PostgREST’s db-pre-request)',
    schema: z.union([z.string().regex(/^[^.]+(\.[^.]+)?$/, 'must be a function name, optionally schema-qualified: schema.function'), z.null()]),
    fromEnv: z.string().regex(/^[^.]+(\.[^.]+)?$/, 'must be a function name, optionally schema-qualified: schema.function'),
    default: null,
    apply: (c, v) => {
      c.preRequest = v === null ? undefined : v.includes('.') ? { schema: v.slice(0, v.indexOf('.')), name: v.slice(v.indexOf('.') + 1) } : { schema: '', name: v }
    },
    read: (c) => (c.preRequest ? (c.preRequest.schema ? `${c.preRequest.schema}.${c.preRequest.name}` : c.preRequest.name) : null),
    flag: 'string',
  }),
  spec<string | null>({
    key: 'db_root_spec',
    field: 'rootSpec',
    group: 'api',
    env: 'DATA_API_ROOT_SPEC',
    hosted: false,
    description: 'a function, optionally schema-qualified, answering GET / instead of the OpenAPI document (PostgREST’s db-root-spec)',
    schema: z.union([z.string().regex(/^[^.]+(\.[^.]+)?$/, 'must be a function name, optionally schema-qualified: schema.function'), z.null()]),
    fromEnv: z.string().regex(/^[^.]+(\.[^.]+)?$/, 'must be a function name, optionally schema-qualified: schema.function'),
    default: null,
    apply: (c, v) => {
      c.rootSpec = v === null ? undefined : v.includes('.') ? { schema: v.slice(0, v.indexOf('.')), name: v.slice(v.indexOf('.') + 1) } : { schema: '', name: v }
    },
    read: (c) => (c.rootSpec ? (c.rootSpec.schema ? `${c.rootSpec.schema}.${c.rootSpec.name}` : c.rootSpec.name) : null),
    flag: 'string',
  }),
  spec<string | null>({
    key: 'server_trace_header',
    field: 'serverTraceHeader',
    group: 'api',
    env: 'DATA_API_SERVER_TRACE_HEADER',
    hosted: false,
    description: 'a request header (such as X-Request-Id) echoed on every answer (PostgREST’s server-trace-header)',
    schema: z.union([z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name'), z.null()]),
    fromEnv: z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name'),
    default: null,
    apply: (c, v) => void (c.serverTraceHeader = v ?? undefined),
    read: (c) => c.serverTraceHeader ?? null,
    flag: 'string',
  }),
  spec<boolean>({
    key: 'db_plan_enabled',
    field: 'planEnabled',
    group: 'api',
    env: 'DATA_API_PLAN_ENABLED',
    hosted: false,
    description: '`Accept: application/vnd.pgrst.plan` answers the EXPLAIN of the request’s query (PostgREST’s db-plan-enabled)',
    schema: z.boolean(),
    fromEnv: bool,
    default: false,
    apply: (c, v) => void (c.planEnabled = v),
    read: (c) => c.planEnabled,
    flag: 'boolean',
  }),
  spec<boolean>({
    key: 'openapi_security_active',
    field: 'openApiSecurityActive',
    group: 'api',
    env: 'DATA_API_OPENAPI_SECURITY_ACTIVE',
    hosted: false,
    description: 'the OpenAPI document declares JWT bearer security (PostgREST’s openapi-security-active)',
    schema: z.boolean(),
    fromEnv: bool,
    default: false,
    apply: (c, v) => void (c.openApiSecurityActive = v),
    read: (c) => c.openApiSecurityActive,
    flag: 'boolean',
  }),
  spec<string | null>({
    key: 'openapi_server_proxy_uri',
    field: 'openApiServerProxyUri',
    group: 'api',
    env: 'DATA_API_OPENAPI_SERVER_PROXY_URI',
    hosted: false,
    description: 'the public URL the OpenAPI document names instead of the address the request reached (PostgREST’s openapi-server-proxy-uri)',
    schema: z.union([z.string().regex(/^https?:\/\/\S+$/i, 'must be an http(s) URL'), z.null()]),
    fromEnv: httpUrl,
    default: null,
    apply: (c, v) => void (c.openApiServerProxyUri = v ?? undefined),
    read: (c) => c.openApiServerProxyUri ?? null,
    flag: 'string',
  }),
  spec<number>({
    key: 'db_statement_timeout',
    field: 'statementTimeoutMs',
    group: 'api',
    env: 'DATA_API_STATEMENT_TIMEOUT',
    hosted: false,
    description:
      'the longest one statement of a request may run, in milliseconds (`statement_timeout` in its transaction; longer answers 500 `57014`); a role’s own `ALTER ROLE … SET statement_timeout` and a function’s `SET statement_timeout` win over it; 0 = none set (the session’s own applies)',
    schema: z.number().int('must be a whole number of milliseconds').min(0, 'must not be negative'),
    fromEnv: wholeNumber('must be a whole number of milliseconds'),
    default: 30000,
    apply: (c, v) => void (c.statementTimeoutMs = v),
    read: (c) => c.statementTimeoutMs,
    flag: 'integer',
  }),
  spec<string>({
    key: 'jwt_default_role',
    field: 'defaultRole',
    group: 'api',
    env: 'DATA_API_DEFAULT_ROLE',
    hosted: false,
    description: 'the role of a valid token that carries no role claim',
    schema: roleName,
    fromEnv: roleName,
    default: 'authenticated',
    apply: (c, v) => void (c.defaultRole = v),
    read: (c) => c.defaultRole,
    flag: 'string',
  }),
  ...AUTH_SETTINGS,
]

export const SETTING_BY_KEY: ReadonlyMap<string, SettingSpec> = new Map(SETTINGS.map((s) => [s.key, s]))

/** The hosted product's settings object keys, in its order. */
export const HOSTED_SETTING_KEYS = SETTINGS.filter((s) => s.hosted).map((s) => s.key)
export const API_SETTING_KEYS = SETTINGS.filter((s) => s.group === 'api').map((s) => s.key)

/** Keys stored by earlier versions, read as their current names. */
export function normalizeStored(stored: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...stored }
  const rename = (from: string, to: string) => {
    if (from in out) {
      if (!(to in out)) out[to] = out[from]
      delete out[from]
    }
  }
  rename('anon_role', 'db_anon_role')
  rename('role_claim_key', 'jwt_role_claim_key')
  if (out.auth_provider === 'built-in') out.auth_provider = 'neon_auth'
  else if (typeof out.auth_provider === 'string' && /^https?:\/\//i.test(out.auth_provider)) {
    if (!('jwks' in out)) {
      out.jwks = [{ id: 'jwks-1', jwks_url: out.auth_provider, provider_name: 'custom', created_at: '', updated_at: '' }]
    }
    out.auth_provider = 'external'
  }
  for (const key of ['jwt_audience', 'jwt_issuer']) {
    if (typeof out[key] === 'string') out[key] = [out[key]]
  }
  return out
}

export type { InlineJwks }
