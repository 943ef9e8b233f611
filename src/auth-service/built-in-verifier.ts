/**
 * The Data API's trust in the built-in auth service: a TokenVerifier that checks EdDSA tokens against
 * the service's public keys in neon_auth.jwks, read from the database (no HTTP round trip to itself).
 * Keys are cached, re-read when a token names a kid we do not know (at most once a second) so a key
 * rotated in by another process or the CLI is picked up at once, and re-read every minute so keys
 * retired or revoked elsewhere stop verifying. Tokens of any other kind go to
 * the verifier configured besides (an HS secret, a JWKS provider), when there is one.
 */
import { decodeProtectedHeader, importJWK, jwtVerify, type JWK } from 'jose'
import { mapJoseError } from '../auth/secret-verifier.js'
import type { Claims, TokenVerifier } from '../auth/authenticate.js'
import type { Database } from '../db/database.js'
import { errors } from '../errors/catalog.js'

/** How long a replaced key still verifies tokens it signed: their 15 minutes and some slack. */
export const KEY_GRACE_SECONDS = 20 * 60

/** Cached keys are re-read after this long, so another process's rotation reaches this one. */
const STALE_AFTER_MS = 60_000
/** Unknown key ids (new keys, or forgeries) cost at most one read of the keys per interval. */
const MIN_RELOAD_INTERVAL_MS = 1000

type KeyRow = { id: string; publicKey: string; alg: string | null; expiresAt: Date | string | null }

type LoadedKey = Readonly<{ alg: string; key: ReturnType<typeof importJWK>; retiredAt: number | undefined }>

export type BuiltInVerifierOptions = Readonly<{
  db: Database
  /** verifies tokens that are not the service's (other algorithms or key ids) */
  fallback?: TokenVerifier | undefined
  leewaySeconds?: number
  now?: () => number
}>

export interface BuiltInVerifier extends TokenVerifier {
  /** Verifier for everything else; the same key cache is kept. */
  withFallback(fallback: TokenVerifier | undefined): BuiltInVerifier
  /** Forgets the cached keys (after a rotation in this process). */
  invalidate(): void
}

class KeyCache {
  private keys = new Map<string, LoadedKey>()
  private loadedAt = -Infinity
  private loading: Promise<void> | undefined

  constructor(
    private readonly db: Database,
    private readonly now: () => number,
  ) {}

  async find(kid: string): Promise<LoadedKey | undefined> {
    const age = this.now() - this.loadedAt
    // keys retired or revoked by another process (or the CLI) are noticed within a minute
    if (age >= STALE_AFTER_MS) await this.reload()
    const hit = this.keys.get(kid)
    if (hit) return hit
    // an unknown kid: maybe a key created since we last looked; look again, at most once a second
    if (age < STALE_AFTER_MS) {
      const wait = this.loadedAt + MIN_RELOAD_INTERVAL_MS - this.now()
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
      if (this.now() - this.loadedAt >= MIN_RELOAD_INTERVAL_MS) await this.reload()
      else await this.loading
    }
    return this.keys.get(kid)
  }

  invalidate(): void {
    this.loadedAt = -Infinity
    this.keys = new Map()
  }

  private reload(): Promise<void> {
    this.loading ??= this.load().finally(() => {
      this.loading = undefined
    })
    return this.loading
  }

  private async load(): Promise<void> {
    let rows: KeyRow[]
    try {
      rows = await this.db.query<KeyRow>(`SELECT "id"::text AS id, "publicKey", "alg", "expiresAt" FROM neon_auth."jwks"`)
    } catch (err) {
      // no auth schema (yet): no keys
      if ((err as { code?: string }).code === '42P01' || (err as { code?: string }).code === '3F000') rows = []
      else throw err
    }
    const next = new Map<string, LoadedKey>()
    for (const row of rows) {
      const previous = this.keys.get(row.id)
      const alg = row.alg ?? 'EdDSA'
      const retiredAt = row.expiresAt === null ? undefined : new Date(row.expiresAt).getTime()
      if (previous && previous.alg === alg) {
        next.set(row.id, { ...previous, retiredAt })
        continue
      }
      let jwk: JWK
      try {
        jwk = JSON.parse(row.publicKey) as JWK
      } catch {
        continue
      }
      const key = importJWK(jwk, alg)
      key.catch(() => undefined)
      next.set(row.id, { alg, key, retiredAt })
    }
    this.keys = next
    this.loadedAt = this.now()
  }
}

/** The service's tokens say `alg: EdDSA` and carry the kid of a neon_auth.jwks row. */
export function createBuiltInVerifier(options: BuiltInVerifierOptions): BuiltInVerifier {
  const now = options.now ?? Date.now
  return build(new KeyCache(options.db, now), options.fallback, options.leewaySeconds ?? 30, now)
}

function build(cache: KeyCache, fallback: TokenVerifier | undefined, leeway: number, now: () => number): BuiltInVerifier {
  const delegate = (token: string): Promise<Claims> => {
    if (fallback) return fallback.verify(token)
    throw errors.jwtDecode('No suitable key or wrong key type', 'The token is not signed by this server\'s auth service')
  }
  return {
    async verify(token: string): Promise<Claims> {
      const parts = token.split('.')
      if (parts.length !== 3) return delegate(token)
      let header: { alg?: unknown; kid?: unknown }
      try {
        header = decodeProtectedHeader(token)
      } catch {
        return delegate(token)
      }
      if (typeof header.kid !== 'string' || (header.alg !== 'EdDSA' && header.alg !== 'Ed25519')) return delegate(token)
      const entry = await cache.find(header.kid)
      if (!entry) return delegate(token)
      if (entry.retiredAt !== undefined && entry.retiredAt + KEY_GRACE_SECONDS * 1000 <= now()) {
        throw errors.jwtDecode('No suitable key or wrong key type', 'The signing key was retired')
      }
      try {
        const { payload } = await jwtVerify(token, await entry.key, {
          algorithms: [entry.alg, ...(entry.alg === 'EdDSA' ? ['Ed25519'] : [])],
          clockTolerance: leeway,
          currentDate: new Date(now()),
        })
        return payload as Claims
      } catch (err) {
        throw mapJoseError(err)
      }
    },
    withFallback: (next) => build(cache, next, leeway, now),
    invalidate: () => cache.invalidate(),
  }
}
