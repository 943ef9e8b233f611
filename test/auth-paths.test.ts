/**
 * The auth service's paths as Neon's guides and reference UI name them: `/api/auth/sign-up/email`,
 * `/api/auth/sign-in/email` and `/api/auth/get-session` below the auth URL answer as their short forms
 * do, and the auth URL itself describes the service instead of answering an empty 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestServer, type TestServer } from './support/test-server.js'
import { authSettings, cookieHeader, decodeJwt, PASSWORD, postJson, uniqueEmail } from './support/auth-helpers.js'

describe.each(backends)('auth service paths on %s', (backend) => {
  let s: TestServer
  let auth: string
  beforeAll(async () => {
    s = await startTestServer(backend, { authService: authSettings() })
    auth = s.authUrl!
  })
  afterAll(async () => s?.close())

  it('signs up, signs in and reads the session through /api/auth/*', async () => {
    const email = uniqueEmail('long-paths')
    const signUp = await postJson(`${auth}/api/auth/sign-up/email`, { email, password: PASSWORD, name: 'Long Paths' })
    expect(signUp.status).toBe(200)
    const signedUp = (await signUp.json()) as { token: string; user: { id: string; email: string; name: string } }
    expect(signedUp.user).toMatchObject({ email, name: 'Long Paths' })
    expect(signUp.headers.get('set-auth-jwt')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)

    const signIn = await postJson(`${auth}/api/auth/sign-in/email`, { email, password: PASSWORD })
    expect(signIn.status).toBe(200)
    const signedIn = (await signIn.json()) as { token: string; user: { id: string } }
    expect(signedIn.user.id).toBe(signedUp.user.id)
    const jwt = signIn.headers.get('set-auth-jwt')!
    expect(decodeJwt(jwt)).toMatchObject({ sub: signedUp.user.id, role: 'authenticated', email })

    const session = await fetch(`${auth}/api/auth/get-session`, { headers: { cookie: cookieHeader(signIn) } })
    expect(session.status).toBe(200)
    expect(session.headers.get('set-auth-jwt')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
    const body = (await session.json()) as { user: { id: string }; session: { token: string } }
    expect(body.user.id).toBe(signedUp.user.id)
    expect(body.session.token).toBe(signedIn.token)
  })

  it('answers the same as the short forms, refusals included', async () => {
    const wrong = { email: uniqueEmail('nobody'), password: 'not the password' }
    const long = await postJson(`${auth}/api/auth/sign-in/email`, wrong)
    const short = await postJson(`${auth}/sign-in/email`, wrong)
    expect(long.status).toBe(401)
    expect(short.status).toBe(401)
    expect(await long.json()).toEqual(await short.json())

    const noSession = await fetch(`${auth}/api/auth/get-session`)
    expect(noSession.status).toBe(200)
    expect(await noSession.json()).toBeNull()
    expect(noSession.headers.get('set-auth-jwt')).toBeNull()

    const unknown = await fetch(`${auth}/api/auth/no-such-endpoint`)
    expect(unknown.status).toBe(404)
  })

  it('serves the JWKS at /api/auth/jwks too', async () => {
    const res = await fetch(`${auth}/api/auth/jwks`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual(await (await fetch(`${auth}/jwks`)).json())
  })

  it('describes itself at the auth URL', async () => {
    const expected = {
      service: 'data-api auth',
      description: 'Neon Auth compatible authentication (Better Auth): email and password, sessions, JWTs for the Data API',
      url: auth,
      reference: `${auth}/reference`,
      openapi: `${auth}/open-api/generate-schema`,
      jwks: `${auth}/.well-known/jwks.json`,
      endpoints: {
        signUp: 'POST /sign-up/email',
        signIn: 'POST /sign-in/email',
        session: 'GET /get-session',
        token: 'GET /token',
        anonymousToken: 'GET /token/anonymous',
        signOut: 'POST /sign-out',
      },
    }
    for (const url of [auth, `${auth}/`, `${auth}/api/auth`]) {
      const res = await fetch(url)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
      expect(await res.json()).toEqual(expected)
    }
    const head = await fetch(auth, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(Number(head.headers.get('content-length'))).toBe(Buffer.byteLength(JSON.stringify(expected)))
    expect(await head.text()).toBe('')
  })

  it('links to endpoints that answer', async () => {
    const description = (await (await fetch(auth)).json()) as Record<string, string>
    for (const key of ['reference', 'openapi', 'jwks']) {
      const res = await fetch(description[key]!)
      expect(res.status, key).toBe(200)
      await res.arrayBuffer()
    }
  })
})
