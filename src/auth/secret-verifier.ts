/**
 * A TokenVerifier for HS256/384/512 shared secrets, on jose. Error messages follow PostgREST
 * (PGRST301 for tokens that cannot be decoded or verified, PGRST303 for claim failures).
 */
import { errors as joseErrors, jwtVerify } from 'jose'
import { errors } from '../errors/catalog.js'
import type { Claims, TokenVerifier } from './authenticate.js'

export type SecretVerifierOptions = Readonly<{ secret: string; isBase64?: boolean; audience?: string; clockToleranceSeconds?: number }>

export function createSecretVerifier(options: SecretVerifierOptions): TokenVerifier {
  const key = options.isBase64 ? Buffer.from(options.secret, 'base64') : new TextEncoder().encode(options.secret)
  const tolerance = options.clockToleranceSeconds ?? 30
  return {
    async verify(token: string): Promise<Claims> {
      const parts = token.split('.')
      if (parts.length !== 3) throw errors.jwtDecode(`Expected 3 parts in JWT; got ${parts.length}`)
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256', 'HS384', 'HS512'],
          clockTolerance: tolerance,
          ...(options.audience ? { audience: options.audience } : {}),
        })
        return payload as Claims
      } catch (err) {
        throw mapJoseError(err)
      }
    },
  }
}

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
