/**
 * The built-in auth service (Neon Auth compatible) over HTTP, as a curl user or a browser sees it:
 * sign-up, sessions by cookie and bearer token, the set-auth-jwt header, token, token/anonymous,
 * JWKS, OpenAPI, key rotation, and the Data API trusting the service's tokens with no configuration.
 * Every refusal is pinned to its status.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLocalJWKSet, generateKeyPair, jwtVerify, SignJWT, type JSONWebKeySet } from 'jose'
import { backends, startTestServer, type TestServer } from './support/test-server.js'
import { authSettings, cookieHeader, decodeJwt, PASSWORD, postJson, signUpUser, uniqueEmail } from './support/auth-helpers.js'
import { parseAuthServiceEnv } from '../src/config/auth-service-config.js'
import { cliClient } from '../src/cli/cli-client.js'
import { rotateAuthKeys } from '../src/admin/ops/auth-ops.js'
import { resolveAuthProvider } from '../src/auth-service/auth-service.js'
import { resolveConfig } from '../src/config/resolve-config.js'
import { loadConfig } from '../src/config/load-config.js'
import { POSTS as POSTS_TABLE } from './support/posts.js'
import { eventually } from './support/eventually.js'

const POSTS = `
${POSTS_TABLE}
grant select, insert, update, delete on posts to authenticated;
grant usage on schema public to authenticated, anonymous;
create table notices (id int primary key, text text);
insert into notices values (1, 'Welcome');
grant select on notices to anonymous;
`

describe.each(backends)('built-in auth service on %s', (backend) => {
  let s: TestServer
  let auth: string
  beforeAll(async () => {
    s = await startTestServer(backend, { authService: authSettings() })
    auth = s.authUrl!
    await s.sql(POSTS)
  })
  afterAll(async () => s?.close())

  describe('the curl flow of the guide', () => {
    it('signs up, copies the JWT from set-auth-jwt and queries the Data API with it', async () => {
      const email = uniqueEmail('curl')
      const signUp = await postJson(`${auth}/sign-up/email`, { email, password: PASSWORD, name: 'Curl User' })
      expect(signUp.status).toBe(200)
      const signedUp = (await signUp.json()) as { token: string; user: { id: string; email: string } }
      expect(signedUp.user.email).toBe(email)

      const session = await fetch(`${auth}/get-session`, { headers: { cookie: cookieHeader(signUp) } })
      expect(session.status).toBe(200)
      const jwt = session.headers.get('set-auth-jwt')
      expect(jwt).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
      expect(((await session.json()) as { user: { id: string } }).user.id).toBe(signedUp.user.id)

      const insert = await s.request('/posts', {
        method: 'POST',
        token: jwt!,
        headers: { 'Content-Type': 'application/json', Prefer: 'return=representation' },
        body: JSON.stringify({ content: 'Hello from curl', is_published: false }),
      })
      expect(insert.status).toBe(201)
      const posts = await s.request('/posts?select=content,user_id', { token: jwt! })
      expect(posts.status).toBe(200)
      expect(await posts.json()).toEqual([{ content: 'Hello from curl', user_id: signedUp.user.id }])
    })

    it('issues EdDSA JWTs for 15 minutes with the user in them, verifiable with the JWKS', async () => {
      const user = await signUpUser(auth, 'Claims')
      const header = decodeJwt(user.jwt, 0)
      expect(header.alg).toBe('EdDSA')
      const origin = new URL(auth).origin
      for (const path of ['/.well-known/jwks.json', '/jwks']) {
        const res = await fetch(`${auth}${path}`)
        expect(res.status).toBe(200)
        const jwks = (await res.json()) as JSONWebKeySet
        expect(jwks.keys.map((k) => k.kid)).toContain(header.kid)
        expect(jwks.keys.every((k) => k.kty === 'OKP' && k.crv === 'Ed25519' && k.alg === 'EdDSA' && !('d' in k))).toBe(true)
        const { payload } = await jwtVerify(user.jwt, createLocalJWKSet(jwks), { issuer: origin, audience: origin })
        expect(payload).toMatchObject({ sub: user.id, id: user.id, role: 'authenticated', email: user.email, name: 'Claims', emailVerified: false })
        expect(payload.exp! - payload.iat!).toBe(900)
      }
    })

    it('answers GET token with {token} for a session, and 401 without one', async () => {
      const user = await signUpUser(auth, 'Token')
      const res = await fetch(`${auth}/token`, { headers: { cookie: user.cookie } })
      expect(res.status).toBe(200)
      const { token } = (await res.json()) as { token: string }
      expect(decodeJwt(token)).toMatchObject({ sub: user.id, role: 'authenticated' })
      expect((await s.request('/posts', { token })).status).toBe(200)
      expect((await fetch(`${auth}/token`)).status).toBe(401)
    })

    it('keeps sessions by bearer token as well as by cookie', async () => {
      const user = await signUpUser(auth, 'Bearer')
      const res = await fetch(`${auth}/get-session`, { headers: { Authorization: `Bearer ${user.sessionToken}` } })
      expect(res.status).toBe(200)
      expect(((await res.json()) as { user: { id: string } }).user.id).toBe(user.id)
      expect(decodeJwt(res.headers.get('set-auth-jwt')!).sub).toBe(user.id)
      const token = await fetch(`${auth}/token`, { headers: { Authorization: `Bearer ${user.sessionToken}` } })
      expect(token.status).toBe(200)
      const out = await fetch(`${auth}/sign-out`, { method: 'POST', headers: { Authorization: `Bearer ${user.sessionToken}` } })
      expect(out.status).toBe(200)
      const after = await fetch(`${auth}/get-session`, { headers: { Authorization: `Bearer ${user.sessionToken}` } })
      expect(await after.json()).toBeNull()
    })

    it('answers sign-in with the session and a set-auth-jwt header, and sets an HttpOnly SameSite cookie', async () => {
      const user = await signUpUser(auth, 'SignIn')
      const res = await postJson(`${auth}/sign-in/email`, { email: user.email, password: PASSWORD })
      expect(res.status).toBe(200)
      const body = (await res.json()) as { token: string; user: { id: string }; session: { userId: string; token: string } }
      expect(body.session.userId).toBe(user.id)
      expect(decodeJwt(res.headers.get('set-auth-jwt')!).sub).toBe(user.id)
      const [cookie] = res.headers.getSetCookie()
      expect(cookie).toMatch(/^neon-auth\.session_token=/)
      expect(cookie).toMatch(/; HttpOnly/i)
      expect(cookie).toMatch(/; SameSite=Lax/i)
      expect(cookie).not.toMatch(/; Secure/i)
    })

    it('signs out: the session is gone and get-session sends no JWT', async () => {
      const user = await signUpUser(auth, 'SignOut')
      const out = await fetch(`${auth}/sign-out`, { method: 'POST', headers: { cookie: user.cookie, Origin: 'http://localhost:5173' } })
      expect(out.status).toBe(200)
      expect(out.headers.getSetCookie().join()).toMatch(/neon-auth\.session_token=;.*Max-Age=0/i)
      const after = await fetch(`${auth}/get-session`, { headers: { cookie: user.cookie } })
      expect(after.status).toBe(200)
      expect(await after.json()).toBeNull()
      expect(after.headers.get('set-auth-jwt')).toBeNull()
    })
  })

  describe('the anonymous token', () => {
    it('answers GET token/anonymous with a short-lived token the Data API runs as the anonymous role', async () => {
      const res = await fetch(`${auth}/token/anonymous`)
      expect(res.status).toBe(200)
      const { token, expires_at } = (await res.json()) as { token: string; expires_at: number }
      const claims = decodeJwt(token)
      expect(claims.role).toBe('anonymous')
      expect(claims.sub).toBeUndefined()
      expect(expires_at).toBe(claims.exp)
      expect(expires_at - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(900)
      const notices = await s.request('/notices', { token })
      expect(notices.status).toBe(200)
      expect(await notices.json()).toEqual([{ id: 1, text: 'Welcome' }])
      // a token was sent, so a missing privilege is 403 (401 is for requests without one)
      const posts = await s.request('/posts', { token })
      expect(posts.status).toBe(403)
      expect(((await posts.json()) as { code: string }).code).toBe('42501')
    })
  })

  describe('browsers (CORS and origins)', () => {
    it('exposes set-auth-jwt to a trusted origin, with credentials', async () => {
      const user = await signUpUser(auth, 'Cors')
      const res = await fetch(`${auth}/get-session`, { headers: { cookie: user.cookie, Origin: 'http://localhost:5173' } })
      expect(res.status).toBe(200)
      expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173')
      expect(res.headers.get('access-control-allow-credentials')).toBe('true')
      expect(res.headers.get('access-control-expose-headers')).toMatch(/set-auth-jwt/)
    })

    it('answers a preflight from a trusted origin', async () => {
      const res = await fetch(`${auth}/sign-in/email`, {
        method: 'OPTIONS',
        headers: { Origin: 'http://127.0.0.1:3001', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
      })
      expect(res.status).toBe(204)
      expect(res.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:3001')
      expect(res.headers.get('access-control-allow-methods')).toMatch(/POST/)
      expect(res.headers.get('access-control-allow-headers')).toMatch(/content-type/i)
    })

    it('gives an untrusted origin no CORS headers and refuses its cookie-carrying POSTs with 403', async () => {
      const user = await signUpUser(auth, 'Evil')
      const preflight = await fetch(`${auth}/sign-out`, {
        method: 'OPTIONS',
        headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
      })
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull()
      const res = await fetch(`${auth}/sign-out`, { method: 'POST', headers: { cookie: user.cookie, Origin: 'https://evil.example' } })
      expect(res.status).toBe(403)
      expect(res.headers.get('access-control-allow-origin')).toBeNull()
      expect(((await res.json()) as { code: string }).code).toBe('INVALID_ORIGIN')
      const signIn = await postJson(`${auth}/sign-in/email`, { email: user.email, password: PASSWORD }, { Origin: 'https://evil.example' })
      expect(signIn.status).toBe(403)
    })
  })

  describe('bad input', () => {
    it('gives a wrong password and an unknown email the same 401 answer', async () => {
      const user = await signUpUser(auth, 'Enum')
      const wrong = await postJson(`${auth}/sign-in/email`, { email: user.email, password: 'not the password at all' })
      const unknown = await postJson(`${auth}/sign-in/email`, { email: uniqueEmail('nobody'), password: 'not the password at all' })
      expect(wrong.status).toBe(401)
      expect(unknown.status).toBe(401)
      const [a, b] = [await wrong.json(), await unknown.json()]
      expect(a).toEqual(b)
      expect(a).toEqual({ code: 'INVALID_EMAIL_OR_PASSWORD', message: 'Invalid email or password' })
      expect(wrong.headers.get('set-auth-jwt')).toBeNull()
      expect(wrong.headers.getSetCookie()).toEqual([])
    })

    it('refuses a duplicate sign-up with 422, whatever the case of the address', async () => {
      const user = await signUpUser(auth, 'Dup')
      const res = await postJson(`${auth}/sign-up/email`, { email: user.email.toUpperCase(), password: PASSWORD, name: 'Again' })
      expect(res.status).toBe(422)
      expect(((await res.json()) as { code: string }).code).toBe('USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL')
      expect(res.headers.getSetCookie()).toEqual([])
    })

    it.each([
      ['sign-up', 'malformed JSON', '{"email": '],
      ['sign-in', 'malformed JSON', '{"email": '],
      ['sign-up', 'no email', JSON.stringify({ password: PASSWORD, name: 'X' })],
      ['sign-up', 'no name', JSON.stringify({ email: 'x@example.com', password: PASSWORD })],
      ['sign-up', 'an invalid email', JSON.stringify({ email: 'not-an-email', password: PASSWORD, name: 'X' })],
      ['sign-up', 'a number as password', JSON.stringify({ email: 'n@example.com', password: 12345678, name: 'X' })],
      ['sign-in', 'no password', JSON.stringify({ email: 'x@example.com' })],
      ['sign-in', 'an array body', '[]'],
    ])('answers %s with %s 400', async (route, _what, body) => {
      const res = await fetch(`${auth}/${route}/email`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })
      expect(res.status).toBe(400)
      expect(typeof ((await res.json()) as { message: unknown }).message).toBe('string')
    })

    it('answers passwords outside the length rules with 400', async () => {
      const short = await postJson(`${auth}/sign-up/email`, { email: uniqueEmail('short'), password: 'abc1234', name: 'S' })
      expect(short.status).toBe(400)
      expect(((await short.json()) as { code: string }).code).toBe('PASSWORD_TOO_SHORT')
      const long = await postJson(`${auth}/sign-up/email`, { email: uniqueEmail('long'), password: 'x'.repeat(129), name: 'L' })
      expect(long.status).toBe(400)
      expect(((await long.json()) as { code: string }).code).toBe('PASSWORD_TOO_LONG')
    })

    it('answers an unknown auth route with 404', async () => {
      expect((await fetch(`${auth}/no-such-thing`)).status).toBe(404)
    })
  })

  describe('the Data API trusting the service', () => {
    it('refuses an expired JWT with 401 PGRST303, and get-session gives a new one that works', async () => {
      const user = await signUpUser(auth, 'Expiry')
      // what the service issued 20 minutes ago, expired 5 minutes ago
      const now = Math.floor(Date.now() / 1000)
      const old = await s.app.authService!.signToken({ ...decodeJwt(user.jwt), iat: now - 1200, exp: now - 300 })
      expect(decodeJwt(old, 0).kid).toBe(decodeJwt(user.jwt, 0).kid)
      const expired = await s.request('/posts', { token: old })
      expect(expired.status).toBe(401)
      expect(await expired.json()).toEqual({ code: 'PGRST303', details: null, hint: null, message: 'JWT expired' })
      const session = await fetch(`${auth}/get-session`, { headers: { cookie: user.cookie } })
      const fresh = session.headers.get('set-auth-jwt')!
      expect(decodeJwt(fresh).exp).toBeGreaterThan(now)
      expect((await s.request('/posts', { token: fresh })).status).toBe(200)
    })

    it('refuses an EdDSA token signed by another key with 401 PGRST301', async () => {
      const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' })
      const forged = await new SignJWT({ sub: 'someone', role: 'authenticated' })
        .setProtectedHeader({ alg: 'EdDSA', kid: decodeJwt((await signUpUser(auth, 'Forge')).jwt, 0).kid as string })
        .setExpirationTime('5m')
        .sign(privateKey)
      const res = await s.request('/posts', { token: forged })
      expect(res.status).toBe(401)
      expect(((await res.json()) as { code: string }).code).toBe('PGRST301')
      const unknownKid = await new SignJWT({ sub: 'someone', role: 'authenticated' })
        .setProtectedHeader({ alg: 'EdDSA', kid: 'not-a-key-of-ours' })
        .setExpirationTime('5m')
        .sign(privateKey)
      expect((await s.request('/posts', { token: unknownKid })).status).toBe(401)
    })

    it('still accepts tokens signed with the configured HS secret', async () => {
      expect((await s.request('/posts', { token: await s.token({ sub: 'hs-user' }) })).status).toBe(200)
    })

    it('does not expose neon_auth through the Data API', async () => {
      const user = await signUpUser(auth, 'Schema')
      const res = await s.request('/user', { token: user.jwt, headers: { 'Accept-Profile': 'neon_auth' } })
      expect(res.status).toBe(406)
    })
  })

  describe('signing keys', () => {
    it('rotates: new tokens use the new key, the old key verifies for its grace period, and revoke ends it', async () => {
      const before = await signUpUser(auth, 'Rotate')
      // signed with the old key and never shown to the Data API before the revoke
      const unused = (await signUpUser(auth, 'Rotate2')).jwt
      const oldKid = decodeJwt(before.jwt, 0).kid
      const rotate = await fetch(`${s.app.url}/api/v2/projects/local/branches/main/auth/keys/rotate`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${s.app.adminKey}` },
      })
      expect(rotate.status).toBe(200)
      const { kid } = (await rotate.json()) as { kid: string; retired: number }
      expect(kid).not.toBe(oldKid)

      const after = await fetch(`${auth}/get-session`, { headers: { cookie: before.cookie } })
      const newJwt = after.headers.get('set-auth-jwt')!
      expect(decodeJwt(newJwt, 0).kid).toBe(kid)
      const jwks = (await (await fetch(`${auth}/.well-known/jwks.json`)).json()) as JSONWebKeySet
      expect(jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([kid, oldKid]))
      expect((await s.request('/posts', { token: before.jwt })).status).toBe(200)
      expect((await s.request('/posts', { token: newJwt })).status).toBe(200)

      const revoke = await fetch(`${s.app.url}/api/v2/projects/local/branches/main/auth/keys/rotate`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${s.app.adminKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ revoke: true }),
      })
      expect(revoke.status).toBe(200)
      expect((await s.request('/posts', { token: unused })).status).toBe(401)
      // one the Data API had verified and cached: forgotten on the rotation's notification
      await eventually(async () => (await s.request('/posts', { token: before.jwt })).status === 401)
      // the revoke created another key, so the first rotation's token goes too; a fresh one works
      expect((await s.request('/posts', { token: newJwt })).status).toBe(401)
      const fresh = (await fetch(`${auth}/get-session`, { headers: { cookie: before.cookie } })).headers.get('set-auth-jwt')!
      expect((await s.request('/posts', { token: fresh })).status).toBe(200)
    })

    it.runIf(backend === 'postgres')('rotates from another process (the CLI without a server), and the server signs with the new key', async () => {
      const user = await signUpUser(auth, 'Cli')
      const oldKid = decodeJwt(user.jwt, 0).kid
      const client = await cliClient(s.app.config, {})
      const { kid, revoked } = (await client.call(rotateAuthKeys, {}).finally(() => client.close())) as { kid: string; revoked: boolean }
      expect(revoked).toBe(false)
      const session = await fetch(`${auth}/get-session`, { headers: { cookie: user.cookie } })
      const jwt = session.headers.get('set-auth-jwt')!
      expect(decodeJwt(jwt, 0).kid).toBe(kid)
      expect(kid).not.toBe(oldKid)
      // a kid this server has not seen yet: read from neon_auth.jwks on demand
      expect((await s.request('/posts', { token: jwt })).status).toBe(200)
    })

    it('refuses rotation without the admin key', async () => {
      expect((await fetch(`${s.app.url}/api/v2/projects/local/branches/main/auth/keys/rotate`, { method: 'POST' })).status).toBe(401)
    })
  })

  describe('OpenAPI', () => {
    it('serves the reference UI and the OpenAPI document', async () => {
      const ui = await fetch(`${auth}/reference`)
      expect(ui.status).toBe(200)
      expect(ui.headers.get('content-type')).toMatch(/text\/html/)
      const doc = await fetch(`${auth}/open-api/generate-schema`)
      expect(doc.status).toBe(200)
      const spec = (await doc.json()) as { openapi: string; paths: Record<string, unknown> }
      expect(spec.openapi).toMatch(/^3\./)
      expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/sign-up/email', '/sign-in/email', '/get-session', '/token', '/token/anonymous']))
    })
  })
})

describe('auth service settings (pglite)', () => {
  const servers: TestServer[] = []
  afterAll(async () => {
    for (const server of servers) await server.close()
  })
  const start = async (...args: Parameters<typeof startTestServer>) => {
    const server = await startTestServer(...args)
    servers.push(server)
    return server
  }

  it('rate-limits sign-in and sign-up per client with 429', async () => {
    const s = await start('pglite', { authService: authSettings({ signInLimit: 3, signUpLimit: 2 }) })
    const signIn = () => postJson(`${s.authUrl}/sign-in/email`, { email: 'nobody@example.com', password: 'wrong password here' })
    expect([(await signIn()).status, (await signIn()).status, (await signIn()).status]).toEqual([401, 401, 401])
    const limited = await signIn()
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('x-retry-after'))).toBeGreaterThan(0)
    const signUp = (n: number) => postJson(`${s.authUrl}/sign-up/email`, { email: `rate${n}@example.com`, password: PASSWORD, name: 'R' })
    expect([(await signUp(1)).status, (await signUp(2)).status, (await signUp(3)).status]).toEqual([200, 200, 429])
  })

  it('refuses sign-up when it is disabled', async () => {
    const s = await start('pglite', { authService: authSettings({ signUpEnabled: false }) })
    const res = await postJson(`${s.authUrl}/sign-up/email`, { email: uniqueEmail('closed'), password: PASSWORD, name: 'C' })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { code: string }).code).toBe('EMAIL_PASSWORD_SIGN_UP_DISABLED')
  })

  it('applies the configured password length', async () => {
    const s = await start('pglite', { authService: authSettings({ minPasswordLength: 20 }) })
    const res = await postJson(`${s.authUrl}/sign-up/email`, { email: uniqueEmail('len'), password: 'only-nineteen-chars', name: 'L' })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { code: string }).code).toBe('PASSWORD_TOO_SHORT')
  })

  it('requires a verified address when configured: the link goes to the email sender, sign-in waits for it', async () => {
    const sent: { to: string; url: string; kind: string }[] = []
    const s = await start(
      'pglite',
      { authService: authSettings({ requireEmailVerification: true }) },
      { emailSender: { send: async (m) => void sent.push(m) } },
    )
    const email = uniqueEmail('verify')
    const signUp = await postJson(`${s.authUrl}/sign-up/email`, { email, password: PASSWORD, name: 'V' })
    expect(signUp.status).toBe(200)
    expect(((await signUp.json()) as { token: unknown }).token).toBeNull()
    expect(signUp.headers.getSetCookie()).toEqual([])
    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({ to: email, kind: 'verify-email' })
    expect(sent[0]!.url.startsWith(`${s.authUrl}/verify-email?token=`)).toBe(true)

    const early = await postJson(`${s.authUrl}/sign-in/email`, { email, password: PASSWORD })
    expect(early.status).toBe(403)
    expect(((await early.json()) as { code: string }).code).toBe('EMAIL_NOT_VERIFIED')

    const verify = await fetch(sent[0]!.url, { redirect: 'manual' })
    expect([200, 302]).toContain(verify.status)
    const signIn = await postJson(`${s.authUrl}/sign-in/email`, { email, password: PASSWORD })
    expect(signIn.status).toBe(200)
    expect(decodeJwt(signIn.headers.get('set-auth-jwt')!).emailVerified).toBe(true)
  })

  it('sets Secure, SameSite=None __Secure- cookies when served over HTTPS', async () => {
    const s = await start('pglite', { authService: authSettings({ url: 'https://api.example.test/neondb/auth' }) })
    const res = await fetch(`${s.app.url}/neondb/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: uniqueEmail('tls'), password: PASSWORD, name: 'T' }),
    })
    expect(res.status).toBe(200)
    const [cookie] = res.headers.getSetCookie()
    expect(cookie).toMatch(/^__Secure-neon-auth\.session_token=/)
    expect(cookie).toMatch(/; Secure/i)
    expect(cookie).toMatch(/; HttpOnly/i)
    expect(cookie).toMatch(/; SameSite=None/i)
    const jwt = res.headers.get('set-auth-jwt')!
    expect(decodeJwt(jwt)).toMatchObject({ iss: 'https://api.example.test', aud: 'https://api.example.test' })
  })

  it('trusts configured origins, with wildcards, and localhost only when allowed', async () => {
    const s = await start('pglite', { authService: authSettings({ allowLocalhost: false, trustedOrigins: ['https://app.example.com', 'https://*.preview.example.com'] }) })
    const corsFor = async (origin: string) =>
      (await fetch(`${s.authUrl}/get-session`, { headers: { Origin: origin } })).headers.get('access-control-allow-origin')
    expect(await corsFor('https://app.example.com')).toBe('https://app.example.com')
    expect(await corsFor('https://pr-7.preview.example.com')).toBe('https://pr-7.preview.example.com')
    expect(await corsFor('http://localhost:5173')).toBeNull()
    expect(await corsFor('https://app.example.com.evil.test')).toBeNull()
  })

  it('refuses token/anonymous when anonymous access is off', async () => {
    const s = await start('pglite', { authService: authSettings(), anonRole: undefined })
    expect((await fetch(`${s.authUrl}/token/anonymous`)).status).toBe(403)
  })

  it('is not served when the auth provider is external', async () => {
    const s = await start('pglite', { authService: authSettings({ provider: 'external' }) })
    expect(s.authUrl).toBeUndefined()
    expect((await fetch(`${s.app.url}/neondb/auth/get-session`)).status).toBe(404)
  })
})

describe('auth service environment', () => {
  it('reads the DATA_API_AUTH_* variables', () => {
    const parsed = loadConfig({
      DATA_API_AUTH_PROVIDER: 'built-in',
      DATA_API_AUTH_URL: 'https://api.example.com/neondb/auth/',
      DATA_API_AUTH_TRUSTED_ORIGINS: 'https://a.example.com, https://*.b.example.com',
      DATA_API_AUTH_SIGN_UP: 'false',
      DATA_API_AUTH_REQUIRE_EMAIL_VERIFICATION: 'true',
      DATA_API_AUTH_MIN_PASSWORD_LENGTH: '10',
      DATA_API_AUTH_SIGN_IN_LIMIT: '5',
      NODE_ENV: 'production',
    })
    expect(parsed.authService).toMatchObject({
      provider: 'built-in',
      url: 'https://api.example.com/neondb/auth',
      trustedOrigins: ['https://a.example.com', 'https://*.b.example.com'],
      signUpEnabled: false,
      requireEmailVerification: true,
      minPasswordLength: 10,
      signInLimit: 5,
      allowLocalhost: false,
    })
    expect(parseAuthServiceEnv({}).ok && parseAuthServiceEnv({})).toMatchObject({ config: { allowLocalhost: true, signUpEnabled: true } })
  })

  it("follows the database's stored auth provider unless DATA_API_AUTH_PROVIDER is set", () => {
    const pg = loadConfig({ DATABASE_URL: 'postgres://x@localhost/app', DATA_API_JWT_SECRET: 'a'.repeat(32) })
    expect(resolveAuthProvider(pg)).toBe('external')
    expect(resolveAuthProvider(resolveConfig(pg, { auth_provider: 'neon_auth' }).config)).toBe('built-in')
    expect(resolveAuthProvider(resolveConfig(loadConfig({}), { auth_provider: 'https://id.example.com/jwks' }).config)).toBe('external')
    const pinned = loadConfig({ DATABASE_URL: 'postgres://x@localhost/app', DATA_API_AUTH_PROVIDER: 'built-in' })
    expect(resolveAuthProvider(resolveConfig(pinned, { auth_provider: 'https://id.example.com/jwks' }).config)).toBe('built-in')
    expect(resolveAuthProvider(loadConfig({ DATABASE_URL: 'postgres://x@localhost/app' }))).toBe('built-in')
    expect(resolveAuthProvider(loadConfig({}))).toBe('built-in')
  })

  it('reports bad values by variable', () => {
    const parsed = parseAuthServiceEnv({ DATA_API_AUTH_SECRET: 'short', DATA_API_AUTH_MIN_PASSWORD_LENGTH: 'eight' })
    expect(parsed.ok).toBe(false)
    expect(!parsed.ok && parsed.issues.join('\n')).toMatch(/DATA_API_AUTH_SECRET[\s\S]*DATA_API_AUTH_MIN_PASSWORD_LENGTH/)
  })
})

