import { describe, expect, it } from 'vitest'
import { ApiError } from '../errors/api-error.js'
import { Authenticator, bearerToken, parseRoleClaimKey, type AuthOptions, type Claims, type TokenVerifier } from './authenticate.js'

/** A verifier that reads the claims straight from the "token" (JSON) and counts its calls. */
function fakeVerifier(): TokenVerifier & { calls: number } {
  const v = {
    calls: 0,
    async verify(token: string): Promise<Claims> {
      v.calls++
      return JSON.parse(token) as Claims
    },
  }
  return v
}

const base = (overrides: Partial<AuthOptions> = {}): AuthOptions => ({
  verifier: fakeVerifier(),
  anonRole: 'anonymous',
  defaultRole: 'authenticated',
  roleClaimPath: ['role'],
  ...overrides,
})
const bearer = (claims: Record<string, unknown>) => `Bearer ${JSON.stringify(claims)}`

describe('parseRoleClaimKey', () => {
  it.each([
    ['.role', ['role']],
    ['.app_metadata.role', ['app_metadata', 'role']],
    ['."https://example.com/role"', ['https://example.com/role']],
    ['."https://x/claims".role', ['https://x/claims', 'role']],
    ['.roles[1]', ['roles', '1']],
    ['."a\\"b".c', ['a"b', 'c']],
    ['role', ['role']],
    ['.a..b', ['role']],
    ['[0]', ['role']],
    ['', ['role']],
  ])('%s', (key, path) => {
    expect(parseRoleClaimKey(key)).toEqual(path)
  })
})

describe('Authenticator', () => {
  it('runs a request without a token as the anonymous role', async () => {
    expect(await new Authenticator(base()).authenticate(undefined)).toEqual({ role: 'anonymous', claims: { role: 'anonymous' }, isAnonymous: true })
  })

  it('answers 401 PGRST302 without a token when anonymous access is disabled', async () => {
    const err = await new Authenticator(base({ anonRole: undefined })).authenticate(undefined).catch((e: ApiError) => e)
    expect(err).toMatchObject({ status: 401, code: 'PGRST302', message: 'Anonymous access is disabled', headers: { 'WWW-Authenticate': 'Bearer' } })
  })

  it('takes the role from the configured claim path, else the default role', async () => {
    const nested = new Authenticator(base({ roleClaimPath: parseRoleClaimKey('.app_metadata.role') }))
    expect((await nested.authenticate(bearer({ sub: 'a', app_metadata: { role: 'editor' } }))).role).toBe('editor')
    expect((await nested.authenticate(bearer({ sub: 'a', role: 'ignored' }))).role).toBe('authenticated')
    const result = await new Authenticator(base({ defaultRole: 'member' })).authenticate(bearer({ sub: 'b' }))
    expect(result).toEqual({ role: 'member', claims: { sub: 'b', role: 'member' }, isAnonymous: false })
  })

  it('refuses a token issued in the future beyond the leeway with 401 PGRST303', async () => {
    const now = 1_800_000_000_000
    const auth = new Authenticator(base({ now: () => now, leewaySeconds: 30 }))
    const err = await auth.authenticate(bearer({ sub: 'a', iat: now / 1000 + 31 })).catch((e: ApiError) => e)
    expect(err).toMatchObject({ status: 401, code: 'PGRST303', message: 'JWT issued at future' })
    expect((await auth.authenticate(bearer({ sub: 'a', iat: now / 1000 + 29 }))).role).toBe('authenticated')
  })

  it('refuses claims nested too deeply with 401, never a 500', async () => {
    let deep: Record<string, unknown> = { leaf: true }
    for (let i = 0; i < 40; i++) deep = { next: deep }
    const err = await new Authenticator(base()).authenticate(bearer({ sub: 'a', deep })).catch((e: ApiError) => e)
    expect(err).toMatchObject({ status: 401, code: 'PGRST301', details: 'Claims nested more than 32 levels deep' })
    let fine: Record<string, unknown> = { leaf: true }
    for (let i = 0; i < 20; i++) fine = { next: fine }
    expect((await new Authenticator(base()).authenticate(bearer({ sub: 'a', fine }))).role).toBe('authenticated')
  })

  it('answers 500 PGRST300 for a token when no verifier is configured', async () => {
    const err = await new Authenticator(base({ verifier: undefined })).authenticate(bearer({})).catch((e: ApiError) => e)
    expect(err).toMatchObject({ status: 500, code: 'PGRST300' })
  })

  it('caches a verified token until it expires', async () => {
    let now = 1_000_000_000_000
    const verifier = fakeVerifier()
    const auth = new Authenticator(base({ verifier, now: () => now }))
    const token = bearer({ sub: 'a', exp: now / 1000 + 60 })
    await auth.authenticate(token)
    await auth.authenticate(token)
    expect(verifier.calls).toBe(1)
    now += 61_000
    await auth.authenticate(token)
    expect(verifier.calls).toBe(2)
  })

  it('keeps a token no longer than the maximum lifetime, and never an expired one', async () => {
    let now = 1_000_000_000_000
    const verifier = fakeVerifier()
    const auth = new Authenticator(base({ verifier, now: () => now, cacheMaxLifetimeMs: 10_000 }))
    const token = bearer({ sub: 'a' })
    await auth.authenticate(token)
    now += 9_000
    await auth.authenticate(token)
    expect(verifier.calls).toBe(1)
    now += 2_000
    await auth.authenticate(token)
    expect(verifier.calls).toBe(2)
    // verified within the leeway but already past exp: not cached
    const expired = bearer({ sub: 'b', exp: now / 1000 - 5 })
    await auth.authenticate(expired)
    expect(auth.cacheSize).toBe(1)
  })

  it('is bounded in size, expired entries going first, then the oldest', async () => {
    let now = 1_000_000_000_000
    const verifier = fakeVerifier()
    const auth = new Authenticator(base({ verifier, now: () => now, cacheSize: 3 }))
    const exp = (s: number) => now / 1000 + s
    await auth.authenticate(bearer({ sub: 'short', exp: exp(5) }))
    await auth.authenticate(bearer({ sub: 'a', exp: exp(100) }))
    await auth.authenticate(bearer({ sub: 'b', exp: exp(100) }))
    now += 10_000 // 'short' expired
    await auth.authenticate(bearer({ sub: 'c', exp: exp(100) }))
    expect(auth.cacheSize).toBe(3)
    verifier.calls = 0
    await auth.authenticate(bearer({ sub: 'a', exp: now / 1000 - 10 + 100 }))
    expect(verifier.calls).toBe(0) // 'a' survived: the expired entry made room
    await auth.authenticate(bearer({ sub: 'd', exp: exp(100) })) // full, nothing expired: 'a' (oldest) goes
    expect(auth.cacheSize).toBe(3)
  })

  it('counts lookups, hits and evictions in the stats it is given', async () => {
    let now = 1_000_000_000_000
    const stats = { requests: 0, hits: 0, evictions: 0 }
    const auth = new Authenticator(base({ now: () => now, cacheSize: 2, cacheStats: stats }))
    const exp = now / 1000 + 60
    await auth.authenticate(bearer({ sub: 'a', exp }))
    await auth.authenticate(bearer({ sub: 'a', exp }))
    await auth.authenticate(undefined) // anonymous: no lookup
    expect(stats).toEqual({ requests: 2, hits: 1, evictions: 0 })
    await auth.authenticate(bearer({ sub: 'b', exp }))
    await auth.authenticate(bearer({ sub: 'c', exp })) // full: 'a' goes
    expect(stats).toEqual({ requests: 4, hits: 1, evictions: 1 })
    now += 61_000
    await auth.authenticate(bearer({ sub: 'c', exp })) // the same token, expired meanwhile: dropped on lookup
    expect(stats).toEqual({ requests: 5, hits: 1, evictions: 2 })
    await auth.authenticate(bearer({ sub: 'd', exp: now / 1000 + 60 })) // room for it: nothing evicted
    expect(stats).toEqual({ requests: 6, hits: 1, evictions: 2 })
  })

  it('refuses everything when the API is disabled', async () => {
    const disabled = new ApiError(404, 'PGRST125', 'Invalid path specified in request URL')
    const auth = new Authenticator(base({ refuseAll: disabled }))
    await expect(auth.authenticate(undefined)).rejects.toBe(disabled)
    await expect(auth.authenticate(bearer({}))).rejects.toBe(disabled)
  })
})

describe('bearerToken', () => {
  it.each([
    [undefined, undefined],
    ['Bearer abc', 'abc'],
    ['bearer   abc  ', 'abc'],
    ['Basic dXNlcjpwYXNz', undefined],
  ])('%s', (header, token) => {
    expect(bearerToken(header)).toBe(token)
  })

  it('refuses an empty token', () => {
    expect(() => bearerToken('Bearer ')).toThrow('Empty JWT is sent in Authorization header')
  })
})
