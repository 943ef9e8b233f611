/**
 * Test support for the built-in auth service: settings for specs, and small fetch helpers that do
 * what a curl user does (sign up, keep the cookie, read the JWT header).
 */
import { DEFAULT_AUTH_SERVICE_CONFIG, type AuthServiceConfig } from '../../src/config/auth-service-config.js'
import type { EmailMessage, EmailSender } from '../../src/auth-service/email.js'

export const PASSWORD = 'correct horse battery staple'

/** The built-in service on, with rate limits out of the way unless a spec sets them. */
export function authSettings(overrides: Partial<AuthServiceConfig> = {}): AuthServiceConfig {
  return { ...DEFAULT_AUTH_SERVICE_CONFIG, provider: 'built-in', signInLimit: 10_000, signUpLimit: 10_000, ...overrides }
}

/** An EmailSender that keeps what it was asked to send. */
export function captureEmails(): EmailSender & { sent: EmailMessage[] } {
  const sent: EmailMessage[] = []
  return {
    sent,
    async send(message) {
      sent.push(message)
    },
  }
}

let counter = 0
/** A fresh address per call (specs share one database per backend). */
export function uniqueEmail(name: string): string {
  counter += 1
  return `${name.toLowerCase()}-${Date.now().toString(36)}-${counter}@example.com`
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) })
}

/** `name=value; name2=value2` from a response's Set-Cookie headers. */
export function cookieHeader(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';', 1)[0])
    .join('; ')
}

/** A JWT's payload (or header with part 0), unverified. */
export function decodeJwt(token: string, part = 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[part] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>
}

export type SignedUp = Readonly<{ id: string; email: string; cookie: string; sessionToken: string; jwt: string }>

/** Signs up (POST sign-up/email), then reads the JWT from get-session's set-auth-jwt header. */
export async function signUpUser(authUrl: string, name: string, email = uniqueEmail(name)): Promise<SignedUp> {
  const res = await postJson(`${authUrl}/sign-up/email`, { email, password: PASSWORD, name })
  if (res.status !== 200) throw new Error(`sign-up answered ${res.status}: ${await res.text()}`)
  const body = (await res.json()) as { token: string; user: { id: string } }
  const cookie = cookieHeader(res)
  const session = await fetch(`${authUrl}/get-session`, { headers: { cookie } })
  const jwt = session.headers.get('set-auth-jwt')
  if (!jwt) throw new Error('get-session sent no set-auth-jwt header')
  return { id: body.user.id, email, cookie, sessionToken: body.token, jwt }
}
