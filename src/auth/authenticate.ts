/**
 * Bearer token → the role and claims a request runs with. Verification is behind the TokenVerifier
 * interface (jwt-verifier.ts: shared secrets and JWKS keys). Verified tokens are cached by token
 * string until they expire, bounded in size, since verification dominates a cheap request. Whether
 * the role a token names may be used is decided by the database in each request's own statement
 * (src/rest/sql/env-statement.ts), so a GRANT or REVOKE counts from the next request on.
 */
import type { ApiError } from '../errors/api-error.js'
import { errors } from '../errors/catalog.js'

export type Claims = Readonly<Record<string, unknown>>

export type AuthResult = Readonly<{ role: string; claims: Claims; isAnonymous: boolean }>

export interface TokenVerifier {
  /** Resolves the verified claims or throws a PGRST301/PGRST303 ApiError. */
  verify(token: string): Promise<Claims>
}

/** What the request pipeline needs: an Authenticator, or something that hands requests to the current one. */
export interface RequestAuthenticator {
  authenticate(authorization: string | undefined): Promise<AuthResult>
  /** Throws what every request gets while the API is disabled; for requests that need no token (OPTIONS). */
  checkEnabled(): void
}

export type AuthOptions = Readonly<{
  verifier: TokenVerifier | undefined
  anonRole: string | undefined
  defaultRole: string
  /** JSPath-like path of the role claim, e.g. `.role` or `.app_metadata.role` */
  roleClaimPath: readonly string[]
  /** verified tokens kept (default 1000) */
  cacheSize?: number
  /** longest a verified token is kept, ms (default 5 min); never past its exp */
  cacheMaxLifetimeMs?: number
  /** when set, every request fails with it (the API is disabled for this database) */
  refuseAll?: ApiError
  /** counters of the token cache, kept across rebuilds by the caller (exposed at /metrics) */
  cacheStats?: TokenCacheStats
  /** clock skew allowed on iat (and, in the verifiers, exp/nbf), seconds (default 30) */
  leewaySeconds?: number
  now?: () => number
}>

export type TokenCacheStats = { requests: number; hits: number; evictions: number }

/**
 * `.role`, `.app_metadata.role`, `."https://example.com/role"`, `.roles[0]` → the path of keys (an
 * array index as its decimal string). Anything else falls back to `.role`.
 */
export function parseRoleClaimKey(key: string): string[] {
  const parts: string[] = []
  let i = 0
  while (i < key.length) {
    if (key[i] === '[') {
      const m = /^\[(\d+)\]/.exec(key.slice(i))
      if (!m || parts.length === 0) return ['role']
      parts.push(m[1]!)
      i += m[0].length
      continue
    }
    if (key[i] !== '.') return ['role']
    i++
    if (key[i] === '"') {
      let name = ''
      i++
      while (i < key.length && key[i] !== '"') {
        if (key[i] === '\\' && i + 1 < key.length) i++
        name += key[i]
        i++
      }
      if (key[i] !== '"') return ['role']
      i++
      parts.push(name)
    } else {
      const m = /^[^."[\]]+/.exec(key.slice(i))
      if (!m) return ['role']
      parts.push(m[0])
      i += m[0].length
    }
  }
  return parts.length > 0 ? parts : ['role']
}

function roleFrom(claims: Claims, path: readonly string[]): string | undefined {
  let value: unknown = claims
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined
    value = (value as Record<string, unknown>)[key]
  }
  if (value === undefined || value === null) return undefined
  return typeof value === 'string' ? value : JSON.stringify(value)
}

type Cached = { result: AuthResult; expiresAt: number }

/** Claims nested deeper than this are refused: they only ever come from a token made to hurt. */
export const MAX_CLAIMS_DEPTH = 32

function depthOf(value: unknown, limit: number): number {
  if (typeof value !== 'object' || value === null) return 0
  if (limit <= 0) return 1
  let deepest = 0
  for (const child of Object.values(value)) deepest = Math.max(deepest, depthOf(child, limit - 1))
  return deepest + 1
}

/**
 * What every verifier leaves to us: an `iat` beyond the clock's leeway (a token "issued in the
 * future" is forged or from a broken clock) and claims too deeply nested to handle safely.
 */
function checkClaims(claims: Claims, nowMs: number, leewayMs: number): void {
  if (typeof claims.iat === 'number' && claims.iat * 1000 > nowMs + leewayMs) throw errors.jwtClaims('JWT issued at future')
  if (depthOf(claims, MAX_CLAIMS_DEPTH + 1) > MAX_CLAIMS_DEPTH) throw errors.jwtDecode("JWT couldn't be decoded", `Claims nested more than ${MAX_CLAIMS_DEPTH} levels deep`)
}

export class Authenticator implements RequestAuthenticator {
  private readonly cache = new Map<string, Cached>()
  private lastSweep = 0
  private readonly now: () => number
  private anonymous: AuthResult | undefined
  private readonly stats: TokenCacheStats

  constructor(private readonly options: AuthOptions) {
    this.now = options.now ?? (() => Date.now())  // looked up per call, so a faked clock is seen
    this.stats = options.cacheStats ?? { requests: 0, hits: 0, evictions: 0 }
  }

  checkEnabled(): void {
    if (this.options.refuseAll) throw this.options.refuseAll
  }

  async authenticate(authorization: string | undefined): Promise<AuthResult> {
    this.checkEnabled()
    const token = bearerToken(authorization)
    if (token === undefined) {
      if (this.options.anonRole === undefined) throw errors.anonymousDisabled()
      // one frozen result, so its claims' JSON text is built once (see env-statement.ts)
      this.anonymous ??= Object.freeze({ role: this.options.anonRole, claims: Object.freeze({ role: this.options.anonRole }), isAnonymous: true })
      return this.anonymous
    }
    // whether the role may be used is checked by the database in the request itself (env-statement.ts)
    return this.verified(token)
  }

  /** Drops every verified token (after signing keys were revoked), so each is verified again. */
  forgetTokens(): void {
    this.stats.evictions += this.cache.size
    this.cache.clear()
  }

  /** Verified tokens currently cached. */
  get cacheSize(): number {
    return this.cache.size
  }

  private async verified(token: string): Promise<AuthResult> {
    const now = this.now()
    const stats = this.stats
    stats.requests++
    const hit = this.cache.get(token)
    if (hit) {
      if (hit.expiresAt > now) {
        stats.hits++
        return hit.result
      }
      this.cache.delete(token)
      stats.evictions++
    }
    if (!this.options.verifier) throw errors.jwtSecretMissing()
    const claims = await this.options.verifier.verify(token)
    checkClaims(claims, now, (this.options.leewaySeconds ?? 30) * 1000)
    const role = roleFrom(claims, this.options.roleClaimPath) ?? this.options.defaultRole
    const result: AuthResult = { role, claims: { ...claims, role }, isAnonymous: false }
    const maxLifetime = this.options.cacheMaxLifetimeMs ?? 300_000
    const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : Number.POSITIVE_INFINITY
    const expiresAt = Math.min(exp, now + maxLifetime)
    if (expiresAt > now) this.remember(token, { result, expiresAt }, now)
    return result
  }

  private remember(token: string, entry: Cached, now: number): void {
    const max = this.options.cacheSize ?? 1000
    if (max <= 0) return
    if (this.cache.size >= max && now - this.lastSweep >= 1000) {
      // Expired entries go first (at most one sweep a second, so a full cache of live tokens stays cheap).
      this.lastSweep = now
      for (const [key, cached] of this.cache) {
        if (cached.expiresAt > now) continue
        this.cache.delete(key)
        this.stats.evictions++
      }
    }
    while (this.cache.size >= max) {
      // Then the oldest: Map iterates in insertion order.
      const oldest = this.cache.keys().next()
      if (oldest.done) break
      this.cache.delete(oldest.value)
      this.stats.evictions++
    }
    this.cache.set(token, entry)
  }
}

/** `Authorization: Bearer <token>` (scheme case-insensitive). An empty token is an error, not anonymous. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  const match = /^\s*bearer(?:\s+(.*))?$/i.exec(header)
  if (!match) return undefined
  const token = (match[1] ?? '').trim()
  if (token === '') throw errors.jwtDecode('Empty JWT is sent in Authorization header')
  return token
}
