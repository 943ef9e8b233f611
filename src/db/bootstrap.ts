/**
 * Creates the database objects data-api owns (architecture.md §4): the request roles, the `auth`
 * helper functions, the `data_api` state schema and, when the connecting role may, an event trigger
 * that announces DDL with `NOTIFY data_api, 'reload schema'`.
 *
 * Idempotent and additive: existing roles, schemas and tables are left as they are; only our own
 * functions are (re)defined. Nothing is granted on user schemas (that is an explicit operator action).
 * Safe to run from several processes at once: the script holds a transaction-level advisory lock.
 */
import { quoteIdent, quoteLiteral } from '../sql/fragment.js'
import type { Database, QueryResult } from './database.js'

export type BootstrapResult = Readonly<{ warnings: readonly string[] }>

/** 'data' and 'api\0' as two int4 keys: the advisory lock every bootstrap of a database takes. */
const LOCK_KEYS = '1684108385, 1634756864'

/**
 * Roles are cluster-wide while the advisory lock is per database, so a bootstrap of another database
 * may create the same role at the same moment: a duplicate then means "already there". Checking
 * first also spares a role without CREATEROLE from failing when the roles already exist.
 */
// attributes are constants of this file, never input
function createRoleIfMissing(role: string, attributes: string): string {
  return `
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${quoteLiteral(role)}) THEN
    BEGIN
      CREATE ROLE ${quoteIdent(role)} ${attributes};
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END IF;`
}

function grantRoleIfMissing(role: string, member: string): string {
  return `
  IF NOT EXISTS (
    SELECT FROM pg_auth_members m
    WHERE m.roleid = (SELECT oid FROM pg_roles WHERE rolname = ${quoteLiteral(role)})
      AND m.member = (SELECT oid FROM pg_roles WHERE rolname = ${quoteLiteral(member)})
  ) THEN
    BEGIN
      GRANT ${quoteIdent(role)} TO ${quoteIdent(member)};
    EXCEPTION WHEN unique_violation THEN NULL;
    END;
  END IF;`
}

const ROLES = `
DO $roles$
BEGIN${[
  createRoleIfMissing('authenticator', 'LOGIN NOINHERIT'),
  createRoleIfMissing('authenticated', 'NOLOGIN'),
  createRoleIfMissing('anonymous', 'NOLOGIN'),
  grantRoleIfMissing('authenticated', 'authenticator'),
  grantRoleIfMissing('anonymous', 'authenticator'),
].join('')}
END
$roles$;`

/**
 * auth.session(): the request's claims as jsonb; JSON null when unset, empty or not JSON.
 * From PostgreSQL 16, `IS JSON` validates without an exception block, so the function stays a plain
 * SQL expression the planner can inline (about twice as fast per row in RLS policies). Before 16 only
 * an exception handler can catch invalid JSON.
 */
function sessionFunction(serverVersion: number): string {
  if (serverVersion >= 160000) {
    return `
CREATE OR REPLACE FUNCTION auth.session() RETURNS jsonb
LANGUAGE sql STABLE AS $fn$
  SELECT CASE WHEN nullif(current_setting('request.jwt.claims', true), '') IS JSON
    THEN current_setting('request.jwt.claims', true)::jsonb
    ELSE 'null'::jsonb END
$fn$;`
  }
  return `
CREATE OR REPLACE FUNCTION auth.session() RETURNS jsonb
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
  claims text := nullif(current_setting('request.jwt.claims', true), '');
BEGIN
  IF claims IS NULL THEN
    RETURN 'null'::jsonb;
  END IF;
  RETURN claims::jsonb;
EXCEPTION WHEN others THEN
  RETURN 'null'::jsonb;
END
$fn$;`
}

function authSchema(serverVersion: number): string {
  return `
CREATE SCHEMA IF NOT EXISTS auth;
${sessionFunction(serverVersion)}

CREATE OR REPLACE FUNCTION auth.jwt() RETURNS jsonb
LANGUAGE sql STABLE AS $fn$ SELECT auth.session() $fn$;

-- the sub claim, only when it is a JSON string
CREATE OR REPLACE FUNCTION auth.user_id() RETURNS text
LANGUAGE sql STABLE AS $fn$
  SELECT CASE WHEN jsonb_typeof(auth.session() -> 'sub') = 'string' THEN auth.session() ->> 'sub' END
$fn$;

-- the sub claim as a uuid, only when it is one (canonical 8-4-4-4-12 form, any case)
CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid
LANGUAGE sql STABLE AS $fn$
  SELECT CASE WHEN auth.user_id() ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    THEN auth.user_id()::uuid END
$fn$;

-- PUBLIC, not just our two roles: a token's role claim may name any role, and its RLS policies call
-- these too. They only read the caller's own request claims, so there is nothing to hide.
GRANT USAGE ON SCHEMA auth TO PUBLIC;
GRANT EXECUTE ON FUNCTION auth.session(), auth.jwt(), auth.user_id(), auth.uid() TO PUBLIC;`
}

const STATE_SCHEMA = `
CREATE SCHEMA IF NOT EXISTS data_api;
CREATE TABLE IF NOT EXISTS data_api.settings (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);`

// ddl_command_end covers CREATE/ALTER/DROP/GRANT...; sql_drop is there too in case a drop is only
// seen by it. NOTIFYs with the same payload in one transaction are delivered once.
const DDL_WATCH = `
CREATE OR REPLACE FUNCTION data_api.announce_ddl() RETURNS event_trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM pg_notify('data_api', 'reload schema');
END
$fn$;

DO $watch$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_event_trigger WHERE evtname = 'data_api_ddl_watch') THEN
    CREATE EVENT TRIGGER data_api_ddl_watch ON ddl_command_end EXECUTE FUNCTION data_api.announce_ddl();
  END IF;
  IF NOT EXISTS (SELECT FROM pg_event_trigger WHERE evtname = 'data_api_drop_watch') THEN
    CREATE EVENT TRIGGER data_api_drop_watch ON sql_drop EXECUTE FUNCTION data_api.announce_ddl();
  END IF;
END
$watch$;`

export const NO_EVENT_TRIGGER_WARNING =
  'the connecting role is not a superuser, so the DDL event trigger was not created: ' +
  "run NOTIFY data_api, 'reload schema' after schema changes (or bootstrap once as a superuser)"

/**
 * The whole bootstrap as one script, run in one transaction under the advisory lock. `prelude` runs
 * right after the lock is taken, `extra` after the bootstrap, both in the same transaction (used by
 * `data-api enable`, src/admin/enable-database.ts).
 */
export function bootstrapScript(
  options: Readonly<{ serverVersion: number; superuser: boolean; prelude?: string; extra?: string; skipAuthSchema?: boolean }>,
): string {
  return [
    'BEGIN;',
    `SELECT pg_advisory_xact_lock(${LOCK_KEYS});`,
    options.prelude ?? '',
    ROLES,
    options.skipAuthSchema ? '' : authSchema(options.serverVersion),
    STATE_SCHEMA,
    options.superuser ? DDL_WATCH : '',
    options.extra ?? '',
    'COMMIT;',
  ].join('\n')
}

export async function bootstrapDatabase(db: Database): Promise<BootstrapResult> {
  const { warnings } = await bootstrapDatabaseWith(db)
  return { warnings }
}

/** bootstrapDatabase with more SQL in the same transaction (see bootstrapScript); returns the script's results too. */
export async function bootstrapDatabaseWith(
  db: Database,
  more: Readonly<{ prelude?: string; extra?: string; skipAuthSchema?: boolean }> = {},
): Promise<BootstrapResult & Readonly<{ results: readonly QueryResult[]; superuser: boolean }>> {
  const [info] = await db.query<{ server_version: number; superuser: boolean }>(
    `SELECT current_setting('server_version_num')::int AS server_version,
            coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false) AS superuser`,
  )
  if (!info) throw new Error('bootstrap: could not read the server version')
  const results = await db.exec(bootstrapScript({ serverVersion: info.server_version, superuser: info.superuser, ...more }))
  return { warnings: info.superuser ? [] : [NO_EVENT_TRIGGER_WARNING], results, superuser: info.superuser }
}
