import { describe, expect, it } from 'vitest'
import { ConsoleSessions, consoleLoginUrl, isAdminKey, LOGIN_LINK_SECONDS, SESSION_SECONDS, type SpentLink } from './console-session.js'

const KEY = 'admin-key-0123456789abcdef'

function clock(start = 1_800_000_000) {
  let now = start
  return { now: () => now, advance: (s: number) => void (now += s) }
}

describe('ConsoleSessions', () => {
  it('turns a sign-in link into a session once', async () => {
    const sessions = new ConsoleSessions(KEY)
    const link = sessions.loginToken()
    const session = await sessions.redeem(link)
    expect(session).toBeDefined()
    expect(sessions.isSession(session!.token)).toBe(true)
    expect(await sessions.redeem(link)).toBeUndefined()
  })

  it('refuses a link after LOGIN_LINK_SECONDS and a session after SESSION_SECONDS', async () => {
    const c = clock()
    const sessions = new ConsoleSessions(KEY, { now: c.now })
    const old = sessions.loginToken()
    const fresh = sessions.loginToken()
    c.advance(LOGIN_LINK_SECONDS)
    expect(await sessions.redeem(old)).toBeUndefined()
    const session = sessions.signIn(KEY)!
    expect(session.expires).toBe(c.now() + SESSION_SECONDS)
    c.advance(SESSION_SECONDS - 1)
    expect(sessions.isSession(session.token)).toBe(true)
    c.advance(1)
    expect(sessions.isSession(session.token)).toBe(false)
    expect(fresh).not.toBe(old)
  })

  it('accepts in one process what another signed with the same admin key, and nothing signed with another key', async () => {
    const a = new ConsoleSessions(KEY)
    const b = new ConsoleSessions(KEY)
    const other = new ConsoleSessions(`${KEY}-rotated`)
    const session = a.signIn(KEY)!
    expect(b.isSession(session.token)).toBe(true)
    expect(other.isSession(session.token)).toBe(false)
    expect(await other.redeem(a.loginToken())).toBeUndefined()
    expect(await b.redeem(a.loginToken())).toBeDefined()
  })

  it('tells the other workers of a redeemed link, which then refuse it', async () => {
    const told: SpentLink[] = []
    const a = new ConsoleSessions(KEY, { broadcastSpent: async (link) => void told.push(link) })
    const b = new ConsoleSessions(KEY)
    const link = a.loginToken()
    expect(await a.redeem(link)).toBeDefined()
    expect(told).toHaveLength(1)
    b.spend(told[0]!)
    expect(await b.redeem(link)).toBeUndefined()
  })

  it('refuses forged, altered and confused tokens', async () => {
    const sessions = new ConsoleSessions(KEY)
    const session = sessions.signIn(KEY)!.token
    const link = sessions.loginToken()
    const [kind, expires, nonce, mac] = session.split('.') as [string, string, string, string]
    for (const token of [
      '',
      'session',
      `${kind}.${Number(expires) + 1000}.${nonce}.${mac}`,
      `${kind}.${expires}.${nonce}x.${mac}`,
      `${kind}.${expires}.${nonce}.${mac.slice(1)}`,
      `${kind}.${expires}.${nonce}.${mac}.extra`,
      link,
    ]) {
      expect(sessions.isSession(token)).toBe(false)
    }
    // a session is no sign-in link either
    expect(await sessions.redeem(session)).toBeUndefined()
  })

  it('signs in with the admin key only', () => {
    const sessions = new ConsoleSessions(KEY)
    expect(sessions.signIn('wrong')).toBeUndefined()
    expect(sessions.signIn(`${KEY}x`)).toBeUndefined()
    expect(sessions.signIn(` ${KEY}\n`)).toBeDefined()
    expect([isAdminKey(KEY, KEY), isAdminKey('', KEY)]).toEqual([true, false])
  })

  it('makes a sign-in link below the server URL', () => {
    const url = consoleLoginUrl('http://127.0.0.1:3000/', new ConsoleSessions(KEY))
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:3000\/console\/login\?token=login\.\d+\.[\w-]{22}\.[\w-]{22}$/)
  })
})
