/**
 * Bearer token → the role and claims a request runs with. Verification is behind the TokenVerifier
 * interface (an HS secret now; JWKS providers plug in the same way). Verified tokens are cached by
 * token string until they expire, bounded in size, since verification dominates a cheap request.
 */
import { errors } from '../errors/catalog.js'

export type Claims = Readonly<Record<string, unknown>>

export type AuthResult = Readonly<{ role: string; claims: Claims; isAnonymous: boolean }>

export interface TokenVerifier {
  /** Resolves the verified claims or throws a PGRST301/PGRST303 ApiError. */
  verify(token: string): Promise<Claims>
}

export type AuthOptions = Readonly<{
  verifier: TokenVerifier | undefined
  anonRole: string | undefined
  defaultRole: string
  /** JSPath-like path of the role claim, e.g. `.role` or `.app_metadata.role` */
  roleClaimPath: readonly string[]
  cacheSize?: number
}>

export function parseRoleClaimKey(key: string): string[] {
  // `.role`, `.app_metadata.role`, `."https://example.com/role"`
  const parts: string[] = []
  const re = /\.(?:"((?:[^"\\]|\\.)*)"|([^."]+))/gy
  let m: RegExpExecArray | null
  while ((m = re.exec(key)) !== null) parts.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!)
  if (parts.length === 0 || re.lastIndex !== key.length) return ['role']
  return parts
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

export class Authenticator {
  private readonly cache = new Map<string, Cached>()
  constructor(private readonly options: AuthOptions) {}

  async authenticate(authorization: string | undefined): Promise<AuthResult> {
    const token = bearerToken(authorization)
    if (token === undefined) {
      if (this.options.anonRole === undefined) throw errors.anonymousDisabled()
      return { role: this.options.anonRole, claims: { role: this.options.anonRole }, isAnonymous: true }
    }
    const now = Date.now()
    const hit = this.cache.get(token)
    if (hit && hit.expiresAt > now) return hit.result
    if (!this.options.verifier) throw errors.jwtSecretMissing()
    const claims = await this.options.verifier.verify(token)
    const role = roleFrom(claims, this.options.roleClaimPath) ?? this.options.defaultRole
    const result: AuthResult = { role, claims: { ...claims, role }, isAnonymous: false }
    const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : now + 60_000
    this.remember(token, { result, expiresAt: Math.min(exp, now + 300_000) })
    return result
  }

  private remember(token: string, entry: Cached): void {
    const max = this.options.cacheSize ?? 1000
    if (this.cache.size >= max) {
      // Drop the oldest entry: Map iterates in insertion order.
      const oldest = this.cache.keys().next()
      if (!oldest.done) this.cache.delete(oldest.value)
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
