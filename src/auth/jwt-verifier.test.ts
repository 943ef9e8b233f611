import { exportSPKI, SignJWT } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { sign, signingKey, type SigningKey } from '../../test/support/jwks-server.js'
import { ApiError } from '../errors/api-error.js'
import { StaticKeySource, type KeySource } from './jwks-cache.js'
import { candidateKeys, createJwtVerifier, secretKey } from './jwt-verifier.js'

const SECRET = 'a-shared-secret-that-is-at-least-32-characters'
const keys: Record<string, SigningKey> = {}
const ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'] as const

beforeAll(async () => {
  for (const alg of ALGS) keys[alg] = await signingKey(alg, `k-${alg}`)
})

const source = (...ks: SigningKey[]): KeySource => new StaticKeySource({ keys: ks.map((k) => k.jwk) })

/** The PostgREST error a verification fails with: [code, message, details]. */
async function failure(promise: Promise<unknown>): Promise<[string, string, unknown]> {
  try {
    await promise
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError)
    const e = err as ApiError
    expect(e.status).toBe(401)
    expect(e.headers['WWW-Authenticate']).toBe(`Bearer error="invalid_token", error_description="${e.message.replaceAll('"', "'")}"`)
    return [e.code, e.message, e.details]
  }
  throw new Error('expected the token to be refused')
}

const hs = (alg: string, secret: Uint8Array, claims: Record<string, unknown> = { sub: 'u' }) =>
  new SignJWT(claims).setProtectedHeader({ alg }).sign(secret)

describe('asymmetric keys', () => {
  it.each(ALGS)('accepts %s', async (alg) => {
    const verifier = createJwtVerifier({ keys: source(...Object.values(keys)) })
    const claims = await verifier.verify(await sign(keys[alg]!, { sub: `user-${alg}` }))
    expect(claims.sub).toBe(`user-${alg}`)
  })

  it('accepts the Ed25519 algorithm name for an EdDSA key', async () => {
    const key = keys.EdDSA!
    const token = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'Ed25519', kid: key.kid }).sign(key.privateKey)
    expect((await createJwtVerifier({ keys: source(key) }).verify(token)).sub).toBe('x')
  })

  it('refuses a key id it does not know', async () => {
    const verifier = createJwtVerifier({ keys: source(keys.RS256!) })
    expect(await failure(verifier.verify(await sign(keys.RS256!, {}, { kid: 'other' })))).toEqual([
      'PGRST301',
      'No suitable key or wrong key type',
      'No RS256 key with kid "other"',
    ])
  })

  it('refuses a token whose key has another type than its algorithm says', async () => {
    // an ES256 key published under the kid of the RS256 token
    const verifier = createJwtVerifier({ keys: new StaticKeySource({ keys: [{ ...keys.ES256!.jwk, kid: 'k-RS256' }] }) })
    expect((await failure(verifier.verify(await sign(keys.RS256!, {}))))[1]).toBe('No suitable key or wrong key type')
  })

  it('tries every compatible key when the token has no kid', async () => {
    const other = await signingKey('RS256', 'other')
    const verifier = createJwtVerifier({ keys: source(other, keys.RS256!) })
    expect((await verifier.verify(await sign(keys.RS256!, { sub: 'a' }, { kid: null }))).sub).toBe('a')
  })

  it('refuses a token signed by a key that is not in the set', async () => {
    const impostor = await signingKey('RS256', 'k-RS256')
    const verifier = createJwtVerifier({ keys: source(keys.RS256!) })
    expect(await failure(verifier.verify(await sign(impostor, {})))).toEqual(['PGRST301', 'JWT cryptographic operation failed', null])
  })

  it('refuses a tampered payload', async () => {
    const verifier = createJwtVerifier({ keys: source(keys.ES256!) })
    const [h, , s] = (await sign(keys.ES256!, { sub: 'alice', role: 'authenticated' })).split('.')
    const forged = Buffer.from(JSON.stringify({ sub: 'alice', role: 'postgres' })).toString('base64url')
    expect(await failure(verifier.verify(`${h}.${forged}.${s}`))).toEqual(['PGRST301', 'JWT cryptographic operation failed', null])
  })

  it('honours use and key_ops', () => {
    const jwk = keys.RS256!.jwk
    expect(candidateKeys([jwk], 'RS256', 'k-RS256')).toHaveLength(1)
    expect(candidateKeys([{ ...jwk, key_ops: ['encrypt'] }], 'RS256', 'k-RS256')).toHaveLength(0)
    expect(candidateKeys([{ ...jwk, alg: 'RS512' }], 'RS256', 'k-RS256')).toHaveLength(0)
    expect(candidateKeys([keys.ES256!.jwk], 'ES384', undefined)).toHaveLength(0)
  })
})

describe('algorithm confusion and alg none', () => {
  it('refuses an HS token when only public keys are configured, even one signed with the public key', async () => {
    // the classic attack: HMAC with the server's public key (which anyone can read) as the secret
    const secret = new TextEncoder().encode(await exportSPKI(keys.RS256!.publicKey))
    const verifier = createJwtVerifier({ keys: source(keys.RS256!) })
    expect(await failure(verifier.verify(await hs('HS256', secret)))).toEqual([
      'PGRST301',
      'Wrong or unsupported encoding algorithm',
      'HS256 tokens are not accepted: this server verifies tokens with public keys',
    ])
  })

  it('refuses an asymmetric token when only a secret is configured', async () => {
    const verifier = createJwtVerifier({ secret: secretKey(SECRET) })
    expect((await failure(verifier.verify(await sign(keys.RS256!, {}))))[2]).toBe('RS256 tokens are not accepted: no public keys are configured')
  })

  it('refuses alg none whatever is configured', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')
    const payload = Buffer.from(JSON.stringify({ sub: 'alice' })).toString('base64url')
    const verifier = createJwtVerifier({ secret: secretKey(SECRET), keys: source(keys.RS256!) })
    expect(await failure(verifier.verify(`${header}.${payload}.`))).toEqual([
      'PGRST301',
      'Wrong or unsupported encoding algorithm',
      'The algorithm none is not accepted',
    ])
  })
})

describe('shared secrets', () => {
  it.each(['HS256', 'HS384', 'HS512'])('accepts %s', async (alg) => {
    const verifier = createJwtVerifier({ secret: secretKey(SECRET) })
    expect((await verifier.verify(await hs(alg, new TextEncoder().encode(SECRET)))).sub).toBe('u')
  })

  it('decodes a base64 secret (standard or URL alphabet)', async () => {
    const bytes = new Uint8Array(Array.from({ length: 48 }, (_, i) => (i * 37 + 250) % 256))
    const token = await hs('HS256', bytes)
    for (const encoded of [Buffer.from(bytes).toString('base64'), Buffer.from(bytes).toString('base64url')]) {
      expect((await createJwtVerifier({ secret: secretKey(encoded, true) }).verify(token)).sub).toBe('u')
    }
    await expect(createJwtVerifier({ secret: secretKey(Buffer.from(bytes).toString('base64')) }).verify(token)).rejects.toThrow(
      'JWT cryptographic operation failed',
    )
  })

  it('accepts both families when both are configured', async () => {
    const verifier = createJwtVerifier({ secret: secretKey(SECRET), keys: source(keys.ES256!) })
    expect((await verifier.verify(await hs('HS256', secretKey(SECRET)))).sub).toBe('u')
    expect((await verifier.verify(await sign(keys.ES256!, { sub: 'e' }))).sub).toBe('e')
  })
})

describe('claims', () => {
  const now = () => Math.floor(Date.now() / 1000)
  const verifier = (options: Parameters<typeof createJwtVerifier>[0] = {}) => createJwtVerifier({ keys: source(keys.RS256!), ...options })

  it('refuses an expired token, with a leeway', async () => {
    expect(await failure(verifier().verify(await sign(keys.RS256!, {}, { expiresIn: -31 })))).toEqual(['PGRST303', 'JWT expired', null])
    await expect(verifier().verify(await sign(keys.RS256!, {}, { expiresIn: -20 }))).resolves.toBeDefined()
    await expect(verifier({ leewaySeconds: 0 }).verify(await sign(keys.RS256!, {}, { expiresIn: -2 }))).rejects.toThrow('JWT expired')
  })

  it('refuses a token not yet valid, with a leeway', async () => {
    expect(await failure(verifier().verify(await sign(keys.RS256!, {}, { notBefore: now() + 120 })))).toEqual([
      'PGRST303',
      'JWT not yet valid',
      null,
    ])
    await expect(verifier().verify(await sign(keys.RS256!, {}, { notBefore: now() + 10 }))).resolves.toBeDefined()
  })

  it('checks the audience: a string or an array containing an accepted one', async () => {
    const v = verifier({ audience: ['api-1', 'api-2'] })
    await expect(v.verify(await sign(keys.RS256!, {}, { audience: 'api-2' }))).resolves.toBeDefined()
    await expect(v.verify(await sign(keys.RS256!, {}, { audience: ['other', 'api-1'] }))).resolves.toBeDefined()
    expect(await failure(v.verify(await sign(keys.RS256!, {}, { audience: 'other' })))).toEqual(['PGRST303', 'JWT not in audience', null])
    // a token without aud is refused when an audience is configured
    expect((await failure(v.verify(await sign(keys.RS256!, {}))))[1]).toBe('JWT not in audience')
    // and accepted when none is
    await expect(verifier().verify(await sign(keys.RS256!, {}, { audience: 'anything' }))).resolves.toBeDefined()
  })

  it('checks the issuer', async () => {
    const v = verifier({ issuer: ['https://id.example.com/'] })
    await expect(v.verify(await sign(keys.RS256!, {}, { issuer: 'https://id.example.com/' }))).resolves.toBeDefined()
    expect(await failure(v.verify(await sign(keys.RS256!, {}, { issuer: 'https://evil.example.com/' })))).toEqual([
      'PGRST303',
      'JWT issuer is not accepted',
      null,
    ])
    expect((await failure(v.verify(await sign(keys.RS256!, {}))))[1]).toBe('JWT issuer is not accepted')
  })
})

describe('malformed tokens', () => {
  it.each([
    ['garbage', 'Expected 3 parts in JWT; got 1'],
    ['a.b', 'Expected 3 parts in JWT; got 2'],
    ['a.b.c', "JWT couldn't be decoded"],
    [`${Buffer.from('{"typ":"JWT"}').toString('base64url')}.e30.sig`, "JWT couldn't be decoded"],
    [`${Buffer.from('{"alg":"RS256"}').toString('base64url')}.bm90IGpzb24.c2ln`, 'JWT cryptographic operation failed'],
  ])('refuses %s', async (token, message) => {
    const v = createJwtVerifier({ keys: source(keys.RS256!) })
    expect((await failure(v.verify(token)))[1]).toBe(message)
  })
})
