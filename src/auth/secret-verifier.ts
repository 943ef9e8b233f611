/**
 * A TokenVerifier for HS256/384/512 shared secrets only: createJwtVerifier with just a secret.
 * Error messages follow PostgREST (PGRST301 for tokens that cannot be decoded or verified, PGRST303
 * for claim failures).
 */
import type { TokenVerifier } from './authenticate.js'
import { createJwtVerifier, secretKey } from './jwt-verifier.js'

export { mapJoseError } from './jwt-verifier.js'

export type SecretVerifierOptions = Readonly<{ secret: string; isBase64?: boolean; audience?: string; clockToleranceSeconds?: number }>

export function createSecretVerifier(options: SecretVerifierOptions): TokenVerifier {
  return createJwtVerifier({
    secret: secretKey(options.secret, options.isBase64),
    audience: options.audience ? [options.audience] : undefined,
    leewaySeconds: options.clockToleranceSeconds ?? 30,
  })
}
