/**
 * Which roles a token may name. A request runs as the role its token names, and the roles a request
 * may run as are exactly the roles `authenticator` may become (it is a member of them). When the
 * server connects as `authenticator` PostgreSQL enforces that itself; when it connects as a more
 * powerful role (the embedded database, a superuser DATABASE_URL), this check keeps a token saying
 * `"role": "postgres"` from becoming the superuser. Answers are cached briefly and forgotten when
 * `generation()` changes (the schema cache reloads, which GRANT/REVOKE on tables and DDL cause).
 */
import { ApiError } from '../errors/api-error.js'

export type RoleQuery = (text: string, values: readonly unknown[]) => Promise<Record<string, unknown>[]>

export type RoleGateOptions = Readonly<{
  /** the role whose memberships decide (default `authenticator`) */
  authenticator?: string
  /** how long an answer is trusted (default 30 s) */
  ttlMs?: number
  /** answers are dropped when this value changes */
  generation?: () => unknown
  now?: () => number
}>

type Verdict = 'allowed' | 'missing' | 'refused'

const CHECK = `
select r.oid is not null as exists,
       case when r.oid is null then false
            when a.oid is null then true
            else pg_has_role(a.oid, r.oid, 'MEMBER') end as allowed
from (select $1::text as name, $2::text as authenticator) n
left join pg_roles r on r.rolname = n.name
left join pg_roles a on a.rolname = n.authenticator`

const bearer = { 'WWW-Authenticate': 'Bearer' }

export class RoleGate {
  private readonly cache = new Map<string, { verdict: Verdict; at: number }>()
  private seen: unknown
  private readonly now: () => number

  constructor(
    private readonly query: RoleQuery,
    private readonly options: RoleGateOptions = {},
  ) {
    this.now = options.now ?? Date.now
  }

  /** Resolves when the role may be used; rejects with a 401 ApiError (PostgreSQL's code and message) otherwise. */
  async check(role: string): Promise<void> {
    const verdict = await this.verdict(role)
    if (verdict === 'missing') throw new ApiError(401, '22023', `role "${role}" does not exist`, null, null, bearer)
    if (verdict === 'refused') throw new ApiError(401, '42501', `permission denied to set role "${role}"`, null, null, bearer)
  }

  clear(): void {
    this.cache.clear()
  }

  private async verdict(role: string): Promise<Verdict> {
    const generation = this.options.generation?.()
    if (generation !== this.seen) {
      this.cache.clear()
      this.seen = generation
    }
    const now = this.now()
    const hit = this.cache.get(role)
    if (hit && now - hit.at < (this.options.ttlMs ?? 30_000)) return hit.verdict
    const [row] = await this.query(CHECK, [role, this.options.authenticator ?? 'authenticator'])
    const verdict: Verdict = !row?.exists ? 'missing' : row.allowed ? 'allowed' : 'refused'
    if (this.cache.size >= 1000) this.cache.clear()
    this.cache.set(role, { verdict, at: now })
    return verdict
  }
}
