/**
 * Stage 3 (build SQL). The request context statement sent before the main statement in the same
 * transaction: search_path, role and the request.* settings, all `set_config(..., true)` so they
 * vanish with the transaction. Mirrors PostgREST Query/PreQuery.hs (txVarQuery).
 *
 * Its text depends only on how many extra settings follow (a `Prefer: timezone=`, a called
 * function's hoisted settings, app.settings.*), never on values, so it is prepared once per variant
 * and connection.
 *
 * The role is checked inside the statement, against the catalog as it is at that moment (a GRANT
 * or REVOKE counts from the next request on): a request may run as a role the connecting role is a
 * member of (what PostgreSQL itself enforces on SET ROLE for a role that is not a superuser), but
 * never as the connecting role itself, a superuser, a role that is itself a member of the connecting
 * role, or a predefined `pg_*` role, which a superuser connection (the embedded database, a superuser
 * DATABASE_URL) could otherwise become. Such a role
 * is swapped for the empty name, which PostgreSQL refuses (`role "" does not exist`); the execute
 * stage reports that as the refusal it is (see refusedRole).
 */
import { compile, empty, join, quoteIdent, sql, type CompiledSql, type Sql } from '../../sql/fragment.js'

export type RequestContext = Readonly<{
  schema: string
  extraSearchPath: readonly string[]
  role: string
  claims: Readonly<Record<string, unknown>>
  method: string
  path: string
  headers: Readonly<Record<string, string>>
  cookies: Readonly<Record<string, string>>
  /** more settings, in order: a checked `Prefer: timezone=`, hoisted function settings, app.settings.* */
  settings?: readonly (readonly [string, string])[]
  /** make the transaction read-only first (a read): one statement less in the batch */
  readOnly?: boolean
}>

export type EnvStatement = CompiledSql & Readonly<{ setsReadOnly: boolean }>

const p = (n: number): Sql => ({ kind: 'sql', parts: [{ t: 'text', v: `$${n}` }] })

/**
 * $2 when the role may be used, else '' (see the header comment); a role that does not exist is
 * left to PostgreSQL to refuse. All lookups go through the role caches (no catalog scan): a
 * superuser is a member of every role, so "the role is a member of the connecting role" covers the
 * connecting role itself, any superuser, and a role that would inherit the connecting role's rights.
 */
const CHECKED_ROLE = sql`(SELECT CASE WHEN r IS NULL THEN ${p(2)}::text WHEN starts_with(${p(2)}::text, 'pg_') OR NOT pg_catalog.pg_has_role(session_user, r, 'MEMBER') OR pg_catalog.pg_has_role(r, session_user, 'MEMBER') THEN '' ELSE ${p(2)}::text END FROM (SELECT pg_catalog.to_regrole(pg_catalog.quote_ident(${p(2)}::text))::oid AS r) pgrst_role)`

const SETTINGS = sql`set_config('search_path', ${p(1)}, true), set_config('role', ${CHECKED_ROLE}, true), set_config('request.jwt.claims', ${p(3)}, true), set_config('request.method', ${p(4)}, true), set_config('request.path', ${p(5)}, true), set_config('request.headers', ${p(6)}, true), set_config('request.cookies', ${p(7)}, true)`
const BASE_PARAMS = 7
// Turning read-only on is allowed at any point of a transaction (only turning it off is not).
const READ_ONLY = sql`set_config('transaction_read_only', 'on', true), `

/** The statement text for `extra` more settings, read-only or not, built once per variant. */
const texts: [string[], string[]] = [[], []]
function textFor(extra: number, readOnly: boolean): string {
  const variants = texts[readOnly ? 1 : 0]
  let text = variants[extra]
  if (text === undefined) {
    const more = Array.from({ length: extra }, (_, i) => sql`, set_config(${p(BASE_PARAMS + 2 * i + 1)}, ${p(BASE_PARAMS + 2 * i + 2)}, true)`)
    text = compile(sql`select ${readOnly ? READ_ONLY : empty}${SETTINGS}${join(more, empty)}`).text
    variants[extra] = text
  }
  return text
}

// Verified tokens are cached with their claims object, so most requests reuse its JSON text.
const claimsText = new WeakMap<object, string>()

function claimsJson(claims: Readonly<Record<string, unknown>>): string {
  let text = claimsText.get(claims)
  if (text === undefined) {
    text = JSON.stringify(claims)
    claimsText.set(claims, text)
  }
  return text
}

// The search_path text per exposed schema, for each configuration's extra schemas (replaced on reload).
const searchPaths = new WeakMap<readonly string[], Map<string, string>>()

function searchPathText(schema: string, extra: readonly string[]): string {
  let bySchema = searchPaths.get(extra)
  if (bySchema === undefined) {
    bySchema = new Map()
    searchPaths.set(extra, bySchema)
  }
  let text = bySchema.get(schema)
  if (text === undefined) {
    text = [schema, ...extra.filter((s) => s !== schema)].map(quoteIdent).join(', ')
    bySchema.set(schema, text)
  }
  return text
}

export function envStatement(ctx: RequestContext): EnvStatement {
  const settings = ctx.settings ?? []
  const values: unknown[] = [
    searchPathText(ctx.schema, ctx.extraSearchPath),
    ctx.role,
    claimsJson(ctx.claims),
    ctx.method,
    ctx.path,
    JSON.stringify(ctx.headers),
    JSON.stringify(ctx.cookies),
  ]
  for (const [name, value] of settings) values.push(name, value)
  const readOnly = ctx.readOnly === true
  return { text: textFor(settings.length, readOnly), values, setsReadOnly: readOnly }
}

/** Whether `err` is PostgreSQL refusing the empty role name the env statement sets for a refused role. */
export function isRefusedRole(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null
  return e?.code === '22023' && e.message === 'role "" does not exist'
}
