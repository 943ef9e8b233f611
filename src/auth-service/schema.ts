/**
 * The auth service's tables in schema `neon_auth`, laid out as Neon Auth lays them out (Better Auth's
 * core models with uuid ids and camelCase columns), plus what this server needs: the JWT plugin's key
 * table, the rate limiter's table and the service secret. Created idempotently on start, in one
 * transaction under an advisory lock, on PGlite and PostgreSQL alike; existing tables are only ever
 * added to. Request roles get no privilege on the schema.
 */
import { randomBytes } from 'node:crypto'
import type { Database } from '../db/database.js'

/** 'neon' and 'auth' as two int4 keys: the lock every auth-schema migration takes. */
const LOCK_KEYS = '1852141422, 1635087464'

export const AUTH_SCHEMA = 'neon_auth'

export const AUTH_SCHEMA_SQL = `
BEGIN;
SELECT pg_advisory_xact_lock(${LOCK_KEYS});
CREATE SCHEMA IF NOT EXISTS neon_auth;

CREATE TABLE IF NOT EXISTS neon_auth."user" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  "name" text NOT NULL,
  "email" text NOT NULL,
  "emailVerified" boolean NOT NULL DEFAULT false,
  "image" text,
  "createdAt" timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updatedAt" timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "role" text,
  "banned" boolean,
  "banReason" text,
  "banExpires" timestamptz,
  CONSTRAINT user_email_key UNIQUE ("email")
);

CREATE TABLE IF NOT EXISTS neon_auth."session" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  "expiresAt" timestamptz NOT NULL,
  "token" text NOT NULL,
  "createdAt" timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updatedAt" timestamptz NOT NULL,
  "ipAddress" text,
  "userAgent" text,
  "userId" uuid NOT NULL REFERENCES neon_auth."user" ("id") ON DELETE CASCADE,
  "impersonatedBy" text,
  "activeOrganizationId" text,
  CONSTRAINT session_token_key UNIQUE ("token")
);
CREATE INDEX IF NOT EXISTS "session_userId_idx" ON neon_auth."session" ("userId");

CREATE TABLE IF NOT EXISTS neon_auth."account" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  "accountId" text NOT NULL,
  "providerId" text NOT NULL,
  "userId" uuid NOT NULL REFERENCES neon_auth."user" ("id") ON DELETE CASCADE,
  "accessToken" text,
  "refreshToken" text,
  "idToken" text,
  "accessTokenExpiresAt" timestamptz,
  "refreshTokenExpiresAt" timestamptz,
  "scope" text,
  "password" text,
  "createdAt" timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updatedAt" timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS "account_userId_idx" ON neon_auth."account" ("userId");

CREATE TABLE IF NOT EXISTS neon_auth."verification" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  "identifier" text NOT NULL,
  "value" text NOT NULL,
  "expiresAt" timestamptz NOT NULL,
  "createdAt" timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updatedAt" timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS "verification_identifier_idx" ON neon_auth."verification" ("identifier");

-- signing keys: public and (encrypted) private JWK as JSON text; the newest signs
CREATE TABLE IF NOT EXISTS neon_auth."jwks" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  "publicKey" text NOT NULL,
  "privateKey" text NOT NULL,
  "createdAt" timestamptz NOT NULL,
  "expiresAt" timestamptz
);
ALTER TABLE neon_auth."jwks" ADD COLUMN IF NOT EXISTS "alg" text, ADD COLUMN IF NOT EXISTS "crv" text;

-- rate-limit counters, shared by every server process
CREATE TABLE IF NOT EXISTS neon_auth."rateLimit" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  "key" text NOT NULL,
  "count" integer NOT NULL,
  "lastRequest" bigint NOT NULL,
  CONSTRAINT "rateLimit_key_key" UNIQUE ("key")
);

-- the secret that signs session cookies and encrypts private keys, when none is configured
CREATE TABLE IF NOT EXISTS neon_auth."data_api_secret" (
  "id" integer PRIMARY KEY CHECK ("id" = 1),
  "secret" text NOT NULL,
  "createdAt" timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);
COMMIT;`

export async function migrateAuthSchema(db: Database): Promise<void> {
  try {
    await db.exec(AUTH_SCHEMA_SQL)
  } catch (err) {
    if ((err as { code?: string }).code !== '42501') throw err
    // a role that may not create them can still use tables an owner created
    const [row] = await db.query<{ ready: boolean }>(`SELECT to_regclass('neon_auth.jwks') IS NOT NULL AS ready`)
    if (row?.ready) return
    throw new Error(
      'The built-in auth service needs schema neon_auth, and the connecting role may not create it: ' +
        'start the server once as the database owner, or set DATA_API_AUTH_PROVIDER=external',
      { cause: err },
    )
  }
}

/** The configured secret, else the one stored in the database (created on first use). */
export async function serviceSecret(db: Database, configured: string | undefined): Promise<string> {
  if (configured) return configured
  await db.query(`INSERT INTO neon_auth."data_api_secret" ("id", "secret") VALUES (1, $1) ON CONFLICT ("id") DO NOTHING`, [
    randomBytes(32).toString('base64url'),
  ])
  const [row] = await db.query<{ secret: string }>(`SELECT "secret" FROM neon_auth."data_api_secret" WHERE "id" = 1`)
  if (!row) throw new Error('auth service: the service secret could not be stored')
  return row.secret
}
