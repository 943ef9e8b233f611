/**
 * The TokenVerifier: HS256/384/512 with a shared secret, and RS/PS/ES/EdDSA with public keys from a
 * KeySource (a provider's JWKS or an inline key set), on jose.
 *
 * The algorithm in the token header picks the key family, and each family is only used when it is
 * configured: an HS token is refused when only public keys are configured (the algorithm-confusion
 * attack signs HS256 with the public key as the secret), `alg: none` is always refused. Among the
 * public keys, a `kid` selects the key; without one every compatible key is tried (as PostgREST does).
 * Errors follow PostgREST: PGRST301 (cannot decode or verify) and PGRST303 (claims rejected).
 */
import { decodeProtectedHeader, importJWK, jwtVerify, errors as joseErrors, type JWTVerifyOptions } from 'jose'
import { errors } from '../errors/catalog.js'
import type { Claims, TokenVerifier } from './authenticate.js'
import { JwksUnavailableError, type Jwk, type KeySource } from './jwks-cache.js'

export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const

export type JwtVerifierOptions = Readonly<{
  /** HS key bytes; undefined = HS tokens are refused */
  secret?: Uint8Array
  /** public keys; undefined = asymmetric tokens are refused */
  keys?: KeySource
  /** a token's aud (string or array) must contain one of these; a token without aud is refused */
  audience?: readonly string[]
  /** a token's iss must be one of these */
  issuer?: readonly string[]
  /** clock skew allowed on exp and nbf (default 30) */
  leewaySeconds?: number
}>

/** The key bytes of a shared secret: its UTF-8 text, or the decoded bytes of a base64 secret. */
export function secretKey(secret: string, isBase64 = false): Uint8Array {
  if (!isBase64) return new TextEncoder().encode(secret)
  return new Uint8Array(Buffer.from(secret.replace(/-/g, '+').replace(/_/g, '/'), 'base64'))
}

type KeyCompat = Readonly<{ kty: string; crv?: string }>

function compatibility(alg: string): KeyCompat | undefined {
  if (/^(RS|PS)(256|384|512)$/.test(alg)) return { kty: 'RSA' }
  if (alg === 'ES256') return { kty: 'EC', crv: 'P-256' }
  if (alg === 'ES384') return { kty: 'EC', crv: 'P-384' }
  if (alg === 'ES512') return { kty: 'EC', crv: 'P-521' }
  if (alg === 'EdDSA' || alg === 'Ed25519') return { kty: 'OKP', crv: 'Ed25519' }
  return undefined
}

const sameAlg = (a: string, b: string) => a === b || ((a === 'EdDSA' || a === 'Ed25519') && (b === 'EdDSA' || b === 'Ed25519'))

/** The keys of a set that can verify a token with this header. */
export function candidateKeys(keys: readonly Jwk[], alg: string, kid: string | undefined): Jwk[] {
  const compat = compatibility(alg)
  if (!compat) return []
  return keys.filter(
    (k) =>
      k.kty === compat.kty &&
      (compat.crv === undefined || k.crv === compat.crv) &&
      (kid === undefined || k.kid === kid) &&
      (k.alg === undefined || sameAlg(k.alg, alg)) &&
      (k.key_ops === undefined || k.key_ops.includes('verify')),
  )
}

type ImportedKey = Awaited<ReturnType<typeof importJWK>>

// imported keys, per JWK object and algorithm (a key set is replaced whole on refetch)
const imported = new WeakMap<Jwk, Map<string, Promise<ImportedKey>>>()

function importKey(jwk: Jwk, alg: string): Promise<ImportedKey> {
  let byAlg = imported.get(jwk)
  if (!byAlg) imported.set(jwk, (byAlg = new Map()))
  let key = byAlg.get(alg)
  if (!key) {
    key = importJWK(jwk, alg)
    key.catch(() => byAlg!.delete(alg))
    byAlg.set(alg, key)
  }
  return key
}

export function createJwtVerifier(options: JwtVerifierOptions): TokenVerifier {
  const base: JWTVerifyOptions = {
    clockTolerance: options.leewaySeconds ?? 30,
    ...(options.audience && options.audience.length > 0 ? { audience: [...options.audience] } : {}),
    ...(options.issuer && options.issuer.length > 0 ? { issuer: [...options.issuer] } : {}),
  }
  const unsupported = (details: string) => errors.jwtDecode('Wrong or unsupported encoding algorithm', details)

  return {
    async verify(token: string): Promise<Claims> {
      const parts = token.split('.')
      if (parts.length !== 3) throw errors.jwtDecode(`Expected 3 parts in JWT; got ${parts.length}`)
      let header: { alg?: unknown; kid?: unknown }
      try {
        header = decodeProtectedHeader(token)
      } catch {
        throw errors.jwtDecode("JWT couldn't be decoded")
      }
      const alg = header.alg
      if (typeof alg !== 'string') throw errors.jwtDecode("JWT couldn't be decoded")
      const kid = typeof header.kid === 'string' ? header.kid : undefined

      if ((HMAC_ALGORITHMS as readonly string[]).includes(alg)) {
        if (!options.secret) throw unsupported(`${alg} tokens are not accepted: this server verifies tokens with public keys`)
        return verifyWith(token, options.secret, { ...base, algorithms: [alg] })
      }
      if (!(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg)) throw unsupported(`The algorithm ${alg} is not accepted`)
      if (!options.keys) throw unsupported(`${alg} tokens are not accepted: no public keys are configured`)

      let keys: readonly Jwk[]
      try {
        keys = await options.keys.keys(kid)
      } catch (err) {
        if (err instanceof JwksUnavailableError) throw errors.jwtDecode('No suitable key or wrong key type', 'The signing keys could not be fetched')
        throw err
      }
      const candidates = candidateKeys(keys, alg, kid)
      if (candidates.length === 0) {
        throw errors.jwtDecode('No suitable key or wrong key type', kid === undefined ? `No ${alg} key` : `No ${alg} key with kid "${kid}"`)
      }
      let lastError: unknown
      for (const jwk of candidates) {
        let key: ImportedKey
        try {
          key = await importKey(jwk, alg)
        } catch (err) {
          lastError = err
          continue
        }
        try {
          const { payload } = await jwtVerify(token, key, { ...base, algorithms: [alg] })
          return payload as Claims
        } catch (err) {
          // another candidate may hold the right key; anything but a bad signature is final
          if (!(err instanceof joseErrors.JWSSignatureVerificationFailed)) throw mapJoseError(err)
          lastError = err
        }
      }
      if (lastError instanceof joseErrors.JWSSignatureVerificationFailed) throw mapJoseError(lastError)
      throw errors.jwtDecode('No suitable key or wrong key type', `No usable ${alg} key`)
    },
  }
}

async function verifyWith(token: string, key: Uint8Array, options: JWTVerifyOptions): Promise<Claims> {
  try {
    const { payload } = await jwtVerify(token, key, options)
    return payload as Claims
  } catch (err) {
    throw mapJoseError(err)
  }
}

/** A jose error → PostgREST's PGRST301/PGRST303 ApiError. */
export function mapJoseError(err: unknown): Error {
  if (err instanceof joseErrors.JWTExpired) return errors.jwtClaims('JWT expired')
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'nbf':
        return errors.jwtClaims(err.reason === 'check_failed' ? 'JWT not yet valid' : "The JWT 'nbf' claim must be a number")
      case 'iat':
        return errors.jwtClaims(err.reason === 'check_failed' ? 'JWT issued at future' : "The JWT 'iat' claim must be a number")
      case 'exp':
        return errors.jwtClaims("The JWT 'exp' claim must be a number")
      case 'aud':
        return errors.jwtClaims('JWT not in audience')
      case 'iss':
        return errors.jwtClaims('JWT issuer is not accepted')
      default:
        return errors.jwtClaims('Parsing claims failed')
    }
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed || err instanceof joseErrors.JOSENotSupported) {
    return errors.jwtDecode('Wrong or unsupported encoding algorithm', (err as Error).message)
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return errors.jwtDecode('JWT cryptographic operation failed')
  if (err instanceof joseErrors.JWKSNoMatchingKey) return errors.jwtDecode('No suitable key or wrong key type', (err as Error).message)
  return errors.jwtDecode("JWT couldn't be decoded")
}
