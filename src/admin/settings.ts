/**
 * Per-database settings, stored in the database itself (`data_api.settings`: key text, value jsonb),
 * so every server process serving the database agrees. Written by `data-api enable`/`disable` (and
 * later the admin API and console), read by the server at start and again on
 * `NOTIFY data_api, 'reload config'`, which every write sends.
 *
 * Precedence: a setting stored in the database overrides the built-in default, and an environment
 * variable set explicitly overrides the stored setting (so an operator can always pin a value on one
 * deployment). `enabled` is database-only.
 */
import { z } from 'zod'
import type { AppConfig } from '../config/app-config.js'
import type { Database } from '../db/database.js'
import { quoteLiteral } from '../sql/fragment.js'

/** The settings data-api understands; other keys are kept and shown but not interpreted here. */
export type DataApiSettings = Readonly<{
  /** false after `data-api disable` */
  enabled?: boolean
  /** `built-in` (the server's own secret/keys) or the JWKS URL of an identity provider */
  auth_provider?: string
  /** accepted audiences; null = not checked */
  jwt_audience?: string | readonly string[] | null
  /** accepted issuers; null = not checked */
  jwt_issuer?: string | readonly string[] | null
  /** the role of requests without a token; null = anonymous access disabled (401 PGRST302) */
  anon_role?: string | null
  /** JSPath-like key of the role claim, e.g. `.role` or `.app_metadata.role` */
  role_claim_key?: string
}>

export type SettingKey = keyof DataApiSettings

export const BUILT_IN_PROVIDER = 'built-in'

const stringList = z.union([z.string().min(1), z.array(z.string().min(1))])
const roleName = z.string().min(1).max(63)

const SCHEMAS: { readonly [K in SettingKey]-?: z.ZodType } = {
  enabled: z.boolean(),
  auth_provider: z.union([z.literal(BUILT_IN_PROVIDER), z.string().regex(/^https?:\/\/\S+$/i, 'must be built-in or an http(s) URL')]),
  jwt_audience: stringList.nullable(),
  jwt_issuer: stringList.nullable(),
  anon_role: roleName.nullable(),
  role_claim_key: z.string().regex(/^(\.("([^"\\]|\\.)*"|[^."[\]]+)(\[\d+\])*)+$/, 'must look like .role or .app_metadata.role'),
}

export const SETTING_KEYS = Object.keys(SCHEMAS) as SettingKey[]

/** A value for a key, or a message saying why it is not acceptable. */
export function validateSetting(key: string, value: unknown): string | undefined {
  const schema = SCHEMAS[key as SettingKey]
  if (!schema) return undefined
  const parsed = schema.safeParse(value)
  return parsed.success ? undefined : `${key}: ${parsed.error.issues.map((i) => i.message).join('; ')}`
}

/** Every stored setting, by key; empty when data_api.settings does not exist (yet). */
export async function readSettings(db: Database): Promise<Record<string, unknown>> {
  try {
    const rows = await db.query<{ key: string; value: unknown }>('select key, value from data_api.settings order by key')
    return Object.fromEntries(rows.map((r) => [r.key, r.value]))
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code === '42P01' || code === '3F000') return {}
    throw err
  }
}

/** A SQL string literal that survives any content (the SQL door's quoteLiteral, under the name admin uses). */
export { quoteLiteral as sqlLiteral }

/**
 * Statements that store a patch: a value upserts its key (a row whose value is unchanged is left
 * alone, updated_at included), `undefined` leaves it, and keys in `remove` are deleted.
 */
export function settingsStatements(patch: Readonly<Record<string, unknown>>, remove: readonly string[] = []): string {
  const statements: string[] = []
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue
    statements.push(
      `INSERT INTO data_api.settings (key, value) VALUES (${quoteLiteral(key)}, ${quoteLiteral(JSON.stringify(value))}::jsonb)
  ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now()
  WHERE data_api.settings.value IS DISTINCT FROM excluded.value;`,
    )
  }
  for (const key of remove) statements.push(`DELETE FROM data_api.settings WHERE key = ${quoteLiteral(key)};`)
  return statements.join('\n')
}

/** Tells every server serving this database to re-read its settings (delivered on commit). */
export const RELOAD_CONFIG = `NOTIFY data_api, 'reload config';`

export class InvalidSettingError extends Error {
  override readonly name = 'InvalidSettingError'
}

/** Stores a patch in one transaction and notifies the servers. Throws InvalidSettingError for a bad value. */
export async function writeSettings(db: Database, patch: Readonly<Record<string, unknown>>, remove: readonly string[] = []): Promise<void> {
  const problems = Object.entries(patch).flatMap(([k, v]) => (v === undefined ? [] : (validateSetting(k, v) ?? [])))
  if (problems.length > 0) throw new InvalidSettingError(`Invalid settings:\n  ${problems.join('\n  ')}`)
  await db.exec(['BEGIN;', settingsStatements(patch, remove), RELOAD_CONFIG, 'COMMIT;'].join('\n'))
}

const list = (v: string | readonly string[] | null): readonly string[] | undefined =>
  v === null ? undefined : typeof v === 'string' ? [v] : v.length > 0 ? v : undefined

/**
 * The configuration a server runs with: `config` (from the environment) with the stored settings
 * applied to every field not set explicitly. Invalid stored values are skipped with a warning.
 */
export function applySettings(config: AppConfig, stored: Readonly<Record<string, unknown>>): { config: AppConfig; warnings: string[] } {
  const warnings: string[] = []
  const explicit = new Set(config.explicit ?? [])
  const valid = <K extends SettingKey>(key: K): DataApiSettings[K] | undefined => {
    if (!(key in stored)) return undefined
    const problem = validateSetting(key, stored[key])
    if (problem) {
      warnings.push(`ignoring the stored setting ${problem}`)
      return undefined
    }
    return stored[key] as DataApiSettings[K]
  }
  const next: { -readonly [K in keyof AppConfig]: AppConfig[K] } = { ...config }

  const enabled = valid('enabled')
  if (enabled !== undefined) next.apiEnabled = enabled

  const provider = valid('auth_provider')
  if (provider !== undefined && !explicit.has('jwksUrl') && !explicit.has('jwks')) {
    next.jwksUrl = provider === BUILT_IN_PROVIDER ? undefined : provider
  }
  // the built-in auth service runs when the database says built-in, unless DATA_API_AUTH_PROVIDER says otherwise
  if (provider !== undefined && config.authService.provider === undefined) {
    next.authService = { ...config.authService, provider: provider === BUILT_IN_PROVIDER ? 'built-in' : 'external' }
  }
  const audience = valid('jwt_audience')
  if (audience !== undefined && !explicit.has('jwtAudience')) next.jwtAudience = list(audience)
  const issuer = valid('jwt_issuer')
  if (issuer !== undefined && !explicit.has('jwtIssuer')) next.jwtIssuer = list(issuer)
  const anonRole = valid('anon_role')
  if (anonRole !== undefined && !explicit.has('anonRole')) next.anonRole = anonRole ?? undefined
  const roleClaimKey = valid('role_claim_key')
  if (roleClaimKey !== undefined && !explicit.has('roleClaimKey')) next.roleClaimKey = roleClaimKey

  return { config: next, warnings }
}
