/**
 * `data-api enable` / `disable`: turn the Data API on or off for one database. Shared by the CLI and
 * (later) the admin API, console and MCP.
 *
 * Enabling is one transaction, idempotent: the bootstrap (roles `authenticator` LOGIN NOINHERIT,
 * `authenticated`, `anonymous`; the `auth` functions; the `data_api` schema), what `authenticator`
 * needs to serve the database (reading data_api.settings), optionally the "grant public schema
 * access" statements, and the settings. `authenticator` gets a generated password only when this run
 * created it or `resetPassword` asks; the password is sent to the server already SCRAM-hashed, so it
 * never appears in a server log, and returned once to the caller. Running it again with the same
 * options changes nothing. Disabling only records `enabled: false`; no user object is touched.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto'
import type { Database } from '../db/database.js'
import { bootstrapDatabaseWith } from '../db/bootstrap.js'
import { quoteIdent } from '../sql/fragment.js'
import { DEFAULT_GRANTS } from './default-grants.js'
import { RELOAD_CONFIG, settingsStatements, sqlLiteral } from './settings-store.js'

export { DEFAULT_GRANTS }

export type EnableOptions = Readonly<{
  /** the four statements that let `authenticated` use the tables of schema public (neon-spec §5.2) */
  grantPublicSchema?: boolean
  /** give `authenticator` a new password even though it exists */
  resetPassword?: boolean
  /** settings to store (already validated); a field left undefined keeps the stored value */
  settings?: Readonly<Record<string, unknown>>
  /** stored settings to delete first (a re-enabled database starts from the defaults) */
  clear?: readonly string[]
  /** do not create the `auth` schema and its functions (the hosted skip_auth_schema) */
  skipAuthSchema?: boolean
}>

export type EnableResult = Readonly<{
  /** the new password of `authenticator`: set only when this run created the role or reset it */
  password: string | undefined
  /** whether this run created `authenticator` */
  createdAuthenticator: boolean
  /** the connecting role is a superuser (else no DDL event trigger) */
  superuser: boolean
  warnings: readonly string[]
}>

/** The URL a server should connect with: the same host and database, as authenticator. */
export function authenticatorUrl(databaseUrl: string, password: string): string {
  const url = new URL(databaseUrl)
  url.username = 'authenticator'
  url.password = encodeURIComponent(password)
  return url.toString()
}

/** A password of 32 URL-safe characters (192 bits). */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url')
}

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802/7677), in the
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` form it accepts in place of the
 * password. (PostgreSQL normalises the password with SASLprep first; ours are ASCII, unchanged by it.)
 */
export function scramSha256Verifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256')
  const clientKey = createHmac('sha256', salted).update('Client Key').digest()
  const storedKey = createHash('sha256').update(clientKey).digest()
  const serverKey = createHmac('sha256', salted).update('Server Key').digest()
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`
}

const EXISTED = 'data_api.authenticator_existed'

/** A role named by the operator (anonymous role): created NOLOGIN when missing, usable by authenticator. */
function ensureRequestRole(role: string, authSchema: boolean): string {
  const literal = sqlLiteral(role)
  return `
DO $role$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${literal}) THEN
    EXECUTE format('CREATE ROLE %I NOLOGIN', ${literal});
  END IF;
  IF NOT pg_has_role('authenticator', ${literal}, 'MEMBER') THEN
    EXECUTE format('GRANT %I TO authenticator', ${literal});
  END IF;
END
$role$;${
    authSchema
      ? `
GRANT USAGE ON SCHEMA auth TO ${quoteIdent(role)};
GRANT EXECUTE ON FUNCTION auth.session(), auth.jwt(), auth.user_id(), auth.uid() TO ${quoteIdent(role)};`
      : ''
  }`
}

export async function enableDatabase(db: Database, options: EnableOptions = {}): Promise<EnableResult> {
  const settings: Record<string, unknown> = { ...options.settings, enabled: true }

  // A password only means something for a server that takes connections.
  const password = db.kind === 'postgres' ? generatePassword() : undefined
  const setPassword = password
    ? `
DO $password$
BEGIN
  IF current_setting('${EXISTED}') = 'false' OR ${options.resetPassword ? 'true' : 'false'} THEN
    ALTER ROLE authenticator WITH LOGIN PASSWORD ${sqlLiteral(scramSha256Verifier(password))};
  END IF;
END
$password$;`
    : ''
  const anonRole = typeof settings.db_anon_role === 'string' ? settings.db_anon_role : undefined

  const prelude = `SELECT set_config('${EXISTED}', exists(SELECT FROM pg_roles WHERE rolname = 'authenticator')::text, true);`
  const extra = [
    setPassword,
    // what a server connecting as authenticator reads
    'GRANT USAGE ON SCHEMA data_api TO authenticator;',
    'GRANT SELECT ON data_api.settings TO authenticator;',
    anonRole && anonRole !== 'anonymous' ? ensureRequestRole(anonRole, options.skipAuthSchema !== true) : '',
    options.grantPublicSchema ? DEFAULT_GRANTS.join('\n') : '',
    settingsStatements(settings, options.clear),
    RELOAD_CONFIG,
    `SELECT current_setting('${EXISTED}') AS authenticator_existed;`,
  ].join('\n')

  const { warnings, results, superuser } = await bootstrapDatabaseWith(db, { prelude, extra, skipAuthSchema: options.skipAuthSchema })
  const existedRow = results.find((r) => r.fields.includes('authenticator_existed'))?.rows[0]
  const created = existedRow?.authenticator_existed === 'false'
  return {
    password: password && (created || options.resetPassword) ? password : undefined,
    createdAuthenticator: created,
    superuser,
    warnings,
  }
}

/**
 * Marks the API disabled for this database (servers answer 404) and forgets its settings, so that
 * enabling it again starts from the defaults. No user object is touched. Idempotent; a database
 * never enabled is left as it is.
 */
export async function disableDatabase(db: Database): Promise<void> {
  try {
    await db.exec(['BEGIN;', 'DELETE FROM data_api.settings;', settingsStatements({ enabled: false }), RELOAD_CONFIG, 'COMMIT;'].join('\n'))
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code === '42P01' || code === '3F000') return
    throw err
  }
}
