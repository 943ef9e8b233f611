/**
 * Signing in to the web console: one-time sign-in links (the startup banner prints one) and the
 * session a link or the admin key opens.
 *
 * Both are tokens signed with a key derived from the admin key (HMAC-SHA256), not entries in a
 * table: every process of `serve --workers N` accepts what any of them issued, a session survives a
 * restart, and changing the admin key ends every session and link at once. A session lasts
 * SESSION_SECONDS from sign-in; a link LOGIN_LINK_SECONDS from when it was made, and works once: a
 * process remembers the links it has redeemed until they expire, and `spend` lets the other workers
 * learn of one.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

export const SESSION_SECONDS = 12 * 60 * 60
export const LOGIN_LINK_SECONDS = 15 * 60

type TokenKind = 'login' | 'session'

/** A redeemed sign-in link: its nonce, kept until it would have expired (unix seconds). */
export type SpentLink = Readonly<{ nonce: string; expires: number }>

export type Session = Readonly<{ token: string; expires: number }>

function deriveKey(adminKey: string): Buffer {
  return createHmac('sha256', adminKey).update('data-api console sign-in v1').digest()
}

/** HMAC-SHA256 cut to 128 bits (as RFC 2104 allows), so the link stays short enough to click in a terminal. */
function mac(key: Buffer, payload: string): string {
  return createHmac('sha256', key).update(payload).digest().subarray(0, 16).toString('base64url')
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** Whether a key someone typed is the admin key, in constant time. */
export function isAdminKey(given: string, adminKey: string): boolean {
  return sameText(given.trim(), adminKey)
}

function sign(key: Buffer, kind: TokenKind, expires: number): string {
  const payload = `${kind}.${expires}.${randomBytes(16).toString('base64url')}`
  return `${payload}.${mac(key, payload)}`
}

/** The token's nonce and expiry when it is a valid, unexpired token of this kind; undefined otherwise. */
function verify(key: Buffer, kind: TokenKind, token: string, now: number): SpentLink | undefined {
  const parts = token.split('.')
  if (parts.length !== 4 || parts[0] !== kind) return undefined
  const [, expiresText, nonce, signature] = parts as [string, string, string, string]
  if (!/^\d{1,12}$/.test(expiresText) || !/^[\w-]{1,64}$/.test(nonce)) return undefined
  if (!sameText(signature, mac(key, `${kind}.${expiresText}.${nonce}`))) return undefined
  const expires = Number(expiresText)
  return expires > now ? { nonce, expires } : undefined
}

export type ConsoleSessionsOptions = Readonly<{
  /** unix seconds; tests move the clock */
  now?: () => number
  /** tells the other processes of `serve --workers N` that a link was redeemed, and waits for them */
  broadcastSpent?: (link: SpentLink) => Promise<void>
}>

export class ConsoleSessions {
  private readonly key: Buffer
  private readonly now: () => number
  private readonly spent = new Map<string, number>()

  constructor(
    private readonly adminKey: string,
    private readonly options: ConsoleSessionsOptions = {},
  ) {
    this.key = deriveKey(adminKey)
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000))
  }

  /** A new one-time sign-in link's token. */
  loginToken(): string {
    return sign(this.key, 'login', this.now() + LOGIN_LINK_SECONDS)
  }

  /** Redeems a sign-in link: a new session, or undefined when the link is forged, expired or used. */
  async redeem(token: string): Promise<Session | undefined> {
    const link = verify(this.key, 'login', token, this.now())
    if (!link || this.spent.has(link.nonce)) return undefined
    this.spend(link)
    await this.options.broadcastSpent?.(link).catch(() => undefined)
    return this.session()
  }

  /** Signs in with the admin key: a new session, or undefined when the key is wrong. */
  signIn(givenKey: string): Session | undefined {
    return isAdminKey(givenKey, this.adminKey) ? this.session() : undefined
  }

  /** Whether a session cookie's value is a session this server issued and that has not expired. */
  isSession(token: string): boolean {
    return verify(this.key, 'session', token, this.now()) !== undefined
  }

  /**
   * Remembers a redeemed link (this process redeemed it, or another worker did) until it expires.
   * Only links signed with the admin key get here, so the map holds no more than were made.
   */
  spend(link: SpentLink): void {
    const now = this.now()
    for (const [nonce, expires] of this.spent) if (expires <= now) this.spent.delete(nonce)
    this.spent.set(link.nonce, link.expires)
  }

  private session(): Session {
    const expires = this.now() + SESSION_SECONDS
    return { token: sign(this.key, 'session', expires), expires }
  }
}

/** A sign-in link for a server at `baseUrl` (`http://127.0.0.1:3000`), signed with its admin key. */
export function consoleLoginUrl(baseUrl: string, sessions: ConsoleSessions): string {
  return `${baseUrl.replace(/\/$/, '')}/console/login?token=${encodeURIComponent(sessions.loginToken())}`
}
