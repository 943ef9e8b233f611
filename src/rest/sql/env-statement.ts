/**
 * Stage 3 (build SQL). The request context statement sent before the main statement in the same
 * implicit transaction: search_path, role and the request.* settings, all `set_config(..., true)` so
 * they vanish with the transaction. Its text never changes, so it is prepared once per connection.
 * Mirrors PostgREST Query/PreQuery.hs (txVarQuery).
 */
import { compile, quoteIdent, sql, type CompiledSql } from '../../sql/fragment.js'

export type RequestContext = Readonly<{
  schema: string
  extraSearchPath: readonly string[]
  role: string
  claims: Readonly<Record<string, unknown>>
  method: string
  path: string
  headers: Readonly<Record<string, string>>
  cookies: Readonly<Record<string, string>>
  /** a zone from `Prefer: timezone=`, already checked against pg_timezone_names */
  timezone?: string
}>

const TEXT = compile(
  sql`select set_config('search_path', ${0}, true), set_config('role', ${0}, true), set_config('request.jwt.claims', ${0}, true), set_config('request.method', ${0}, true), set_config('request.path', ${0}, true), set_config('request.headers', ${0}, true), set_config('request.cookies', ${0}, true)`,
).text
const TEXT_WITH_TIMEZONE = `${TEXT}, set_config('timezone', $8, true)`

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

export function envStatement(ctx: RequestContext): CompiledSql {
  const searchPath = [ctx.schema, ...ctx.extraSearchPath.filter((s) => s !== ctx.schema)].map(quoteIdent).join(', ')
  return {
    text: ctx.timezone === undefined ? TEXT : TEXT_WITH_TIMEZONE,
    values: [
      searchPath,
      ctx.role,
      claimsJson(ctx.claims),
      ctx.method,
      ctx.path,
      JSON.stringify(ctx.headers),
      JSON.stringify(ctx.cookies),
      ...(ctx.timezone === undefined ? [] : [ctx.timezone]),
    ],
  }
}
