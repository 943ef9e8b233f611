/**
 * Tokens from an identity provider, verified with the keys of its JWKS endpoint (a local one here):
 * RS256, ES256 and EdDSA keys, RLS seeing the token's `sub`, custom roles, key rotation without a
 * restart, a provider that hangs or is down, and every way a token is refused, with PostgREST's body
 * and WWW-Authenticate header.
 */
import { exportSPKI, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sign, signingKey, startJwksServer, type JwksServer, type SignOptions, type SigningKey } from './support/jwks-server.js'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

const AUDIENCE = 'data-api-spec'
const ISSUER = 'https://id.example.test/'

const SETUP = `
do $$ begin
  if not exists (select from pg_roles where rolname = 'jwks_editor') then create role jwks_editor nologin; end if;
  if not exists (select from pg_roles where rolname = 'jwks_outsider') then create role jwks_outsider nologin; end if;
exception when duplicate_object or unique_violation then null;
end $$;
grant jwks_editor to authenticator;
create table posts (
  id bigint generated always as identity primary key,
  user_id text not null default (auth.user_id()),
  content text not null,
  is_published boolean not null default false
);
alter table posts enable row level security;
create policy "read published or own" on posts for select using (is_published or (select auth.user_id()) = user_id);
grant select on posts to authenticated, jwks_editor;
grant usage on schema public to authenticated, anonymous, jwks_editor, jwks_outsider;
grant usage on schema auth to jwks_editor;
insert into posts (user_id, content, is_published) values
  ('alice', 'Alice public', true), ('alice', 'Alice draft', false), ('bob', 'Bob draft', false);
create view me as select current_user::text as "user", auth.user_id() as sub;
grant select on me to authenticated, anonymous, jwks_editor, jwks_outsider;
`

type ErrorBody = { code: string; details: unknown; hint: unknown; message: string }

describe.each(backends)('JWKS authentication on %s', (backend) => {
  let provider: JwksServer
  let s: TestServer
  let rs: SigningKey
  let es: SigningKey
  let ed: SigningKey
  const token = (key: SigningKey, claims: Record<string, unknown>, options: SignOptions = {}) =>
    sign(key, claims, { audience: AUDIENCE, issuer: ISSUER, ...options })
  const me = async (t: string) => {
    const res = await s.request('/me', { token: t })
    return { status: res.status, body: (await res.json()) as unknown }
  }
  const refused = async (t: string) => {
    const res = await s.request('/me', { token: t })
    return { status: res.status, authenticate: res.headers.get('www-authenticate'), body: (await res.json()) as ErrorBody }
  }
  const invalidToken = (code: string, message: string, details: string | null = null) => ({
    status: 401,
    authenticate: `Bearer error="invalid_token", error_description="${message.replaceAll('"', "'")}"`,
    body: { code, details, hint: null, message },
  })

  beforeAll(async () => {
    ;[rs, es, ed] = await Promise.all([signingKey('RS256'), signingKey('ES256'), signingKey('EdDSA')])
    provider = await startJwksServer([rs, es, ed])
    s = await startTestServer(
      backend,
      { jwtSecret: undefined, jwksUrl: provider.url, jwtAudience: [AUDIENCE], jwtIssuer: [ISSUER] },
      // short limits keep the spec fast; the JWKS server shares this process with PGlite, whose work blocks it
      { jwks: { minRefetchIntervalMs: 1000, timeoutMs: 2500 } },
    )
    await s.sql(SETUP)
  })
  afterAll(async () => {
    await s?.close()
    await provider?.stop()
  })

  it.each(['RS256', 'ES256', 'EdDSA'])('accepts a token signed with an %s key', async (alg) => {
    const key = { RS256: rs, ES256: es, EdDSA: ed }[alg]!
    expect(await me(await token(key, { sub: `user-${alg}` }))).toEqual({ status: 200, body: [{ user: 'authenticated', sub: `user-${alg}` }] })
  })

  it("lets row-level security see the token's sub through auth.user_id()", async () => {
    const res = await s.request('/posts?select=content&order=id', { token: await token(es, { sub: 'alice' }) })
    expect(await res.json()).toEqual([{ content: 'Alice public' }, { content: 'Alice draft' }])
    const bob = await s.request('/posts?select=content&order=id', { token: await token(ed, { sub: 'bob' }) })
    expect(await bob.json()).toEqual([{ content: 'Alice public' }, { content: 'Bob draft' }])
  })

  it('switches to the role the token names', async () => {
    expect(await me(await token(rs, { sub: 'e', role: 'jwks_editor' }))).toEqual({ status: 200, body: [{ user: 'jwks_editor', sub: 'e' }] })
  })

  it.each([
    ['pg_read_all_data', '42501', 'permission denied to set role "pg_read_all_data"'],
    ['postgres', '42501', 'permission denied to set role "postgres"'],
    ['no_such_role_anywhere', '22023', 'role "no_such_role_anywhere" does not exist'],
  ])('refuses with 401 a role no request may run as: %s', async (role, code, message) => {
    expect(await refused(await token(rs, { sub: 'x', role }))).toEqual({
      status: 401,
      authenticate: 'Bearer',
      body: { code, details: null, hint: null, message },
    })
  })

  describe('refused tokens', () => {
    const now = () => Math.floor(Date.now() / 1000)

    it('expired', async () => {
      expect(await refused(await token(rs, { sub: 'a' }, { expiresIn: -120 }))).toEqual(invalidToken('PGRST303', 'JWT expired'))
    })

    it('not yet valid', async () => {
      expect(await refused(await token(rs, { sub: 'a' }, { notBefore: now() + 300 }))).toEqual(invalidToken('PGRST303', 'JWT not yet valid'))
    })

    it('for another audience', async () => {
      expect(await refused(await token(es, { sub: 'a' }, { audience: 'another-api' }))).toEqual(invalidToken('PGRST303', 'JWT not in audience'))
    })

    it('from another issuer', async () => {
      expect(await refused(await token(es, { sub: 'a' }, { issuer: 'https://evil.example.test/' }))).toEqual(
        invalidToken('PGRST303', 'JWT issuer is not accepted'),
      )
    })

    it('tampered with', async () => {
      const [header, , signature] = (await token(rs, { sub: 'alice' })).split('.')
      const payload = Buffer.from(JSON.stringify({ sub: 'alice', role: 'jwks_editor', aud: AUDIENCE, iss: ISSUER })).toString('base64url')
      expect(await refused(`${header}.${payload}.${signature}`)).toEqual(invalidToken('PGRST301', 'JWT cryptographic operation failed'))
    })

    it('alg none', async () => {
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')
      const payload = Buffer.from(JSON.stringify({ sub: 'alice', aud: AUDIENCE, iss: ISSUER })).toString('base64url')
      expect(await refused(`${header}.${payload}.`)).toEqual(
        invalidToken('PGRST301', 'Wrong or unsupported encoding algorithm', 'The algorithm none is not accepted'),
      )
    })

    it('HS256 signed with the public key (algorithm confusion)', async () => {
      const forged = await new SignJWT({ sub: 'alice', aud: AUDIENCE, iss: ISSUER })
        .setProtectedHeader({ alg: 'HS256', kid: rs.kid })
        .sign(new TextEncoder().encode(await exportSPKI(rs.publicKey)))
      expect(await refused(forged)).toEqual(
        invalidToken(
          'PGRST301',
          'Wrong or unsupported encoding algorithm',
          'HS256 tokens are not accepted: this server verifies tokens with public keys',
        ),
      )
    })

    it.each([
      ['garbage', 'Expected 3 parts in JWT; got 1'],
      ['a.b.c', "JWT couldn't be decoded"],
    ])('garbage: %s', async (t, message) => {
      expect(await refused(t)).toEqual(invalidToken('PGRST301', message))
    })

    it('signed by a key the provider does not publish', async () => {
      const stranger = await signingKey('RS256', 'stranger')
      expect(await refused(await token(stranger, { sub: 'a' }))).toEqual(
        invalidToken('PGRST301', 'No suitable key or wrong key type', 'No RS256 key with kid "stranger"'),
      )
    })
  })

  describe('a provider that rotates keys, hangs and goes down', () => {
    it('picks up a new key without a restart', async () => {
      const rotated = await signingKey('ES256', 'rotated-1')
      provider.setKeys([rs, es, ed, rotated])
      await new Promise((r) => setTimeout(r, 1100)) // past the refetch rate limit
      expect(await me(await token(rotated, { sub: 'rotated' }))).toEqual({ status: 200, body: [{ user: 'authenticated', sub: 'rotated' }] })
    })

    it('refetches for unknown key ids at most once per interval', async () => {
      await new Promise((r) => setTimeout(r, 1100))
      const before = provider.requests()
      const strangers = await Promise.all([1, 2, 3, 4, 5].map((i) => signingKey('ES256', `unknown-${i}`)))
      for (const k of strangers) expect((await refused(await token(k, { sub: 'x' }))).status).toBe(401)
      expect(provider.requests() - before).toBe(1)
    })

    it('answers 401 promptly, not hanging, when the provider does not answer', async () => {
      provider.setMode('hang')
      await new Promise((r) => setTimeout(r, 1100))
      const stranger = await signingKey('RS256', 'while-hanging')
      const strangerToken = await token(stranger, { sub: 'x' })
      const started = Date.now()
      expect(await refused(strangerToken)).toEqual(
        invalidToken('PGRST301', 'No suitable key or wrong key type', 'No RS256 key with kid "while-hanging"'),
      )
      // The fetch gives up after 2.5 s; a hang would last until the test's own timeout (60 s).
      expect(Date.now() - started).toBeLessThan(20_000)
      // keys fetched before still verify meanwhile
      expect((await me(await token(ed, { sub: 'during-hang' }))).status).toBe(200)
    })

    it('keeps verifying with the cached keys when the provider is down, and refuses unknown keys with 401', async () => {
      await provider.stop()
      await new Promise((r) => setTimeout(r, 1100))
      // fresh tokens (not in the token cache), verified with the cached keys
      expect(await me(await token(rs, { sub: 'while-down' }))).toEqual({ status: 200, body: [{ user: 'authenticated', sub: 'while-down' }] })
      expect((await me(await token(es, { sub: 'while-down-2' }))).status).toBe(200)
      const stranger = await signingKey('ES256', 'while-down')
      const strangerToken = await token(stranger, { sub: 'x' })
      const started = Date.now()
      expect(await refused(strangerToken)).toEqual(
        invalidToken('PGRST301', 'No suitable key or wrong key type', 'No ES256 key with kid "while-down"'),
      )
      // A refused connection fails at once; only a hang would come near the test's timeout.
      expect(Date.now() - started).toBeLessThan(20_000)
      expect(s.app.auth.jwksStatus()).toMatchObject({ keys: 4, lastError: expect.stringMatching(/ECONNREFUSED/) })
    })
  })
})
