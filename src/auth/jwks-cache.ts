/**
 * Where the public keys that verify tokens come from: an identity provider's JWKS endpoint (fetched,
 * cached, refreshed) or a key set given inline. The remote source is built for providers that are
 * slow, down or rotating keys:
 *
 * - the first verification waits for the first fetch; afterwards requests never wait for a fetch,
 *   except a token whose `kid` is unknown, which triggers a refetch at most once per
 *   `minRefetchIntervalMs` (a rotation is picked up at once, garbage `kid`s cannot hammer the provider);
 * - a background refresh every `refreshIntervalMs`;
 * - every fetch is bounded: `timeoutMs` for the whole exchange, `maxBytes` of body, redirects only
 *   to the same origin;
 * - a failed fetch keeps the last good key set.
 *
 * Only public signing keys are kept (kty RSA, EC, OKP; `use` absent or `sig`): a symmetric or private
 * key in a published key set would let anyone who reads it mint tokens.
 */
import type { JWK } from 'jose'

export type Jwk = JWK

/** A source of verification keys. */
export interface KeySource {
  /**
   * The current keys. `kid` is the token's key id: when no key carries it, a remote source may
   * refetch before answering. Rejects with JwksUnavailableError only when no key set was ever loaded.
   */
  keys(kid: string | undefined): Promise<readonly Jwk[]>
}

export class JwksFetchError extends Error {
  override readonly name = 'JwksFetchError'
}

/** No key set has been loaded yet and the provider cannot be reached. */
export class JwksUnavailableError extends Error {
  override readonly name = 'JwksUnavailableError'
}

const ASYMMETRIC_KTY = new Set(['RSA', 'EC', 'OKP'])
// private parts of RSA, EC and OKP keys
const PRIVATE_PARAMS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth']

export type ParsedJwks = Readonly<{ keys: readonly Jwk[]; ignored: number }>

/** Validates a key set and keeps its public signing keys. Throws JwksFetchError when it is not a key set. */
export function parseJwks(value: unknown): ParsedJwks {
  if (typeof value !== 'object' || value === null || !Array.isArray((value as { keys?: unknown }).keys)) {
    throw new JwksFetchError('not a JSON Web Key Set (expected {"keys": [...]})')
  }
  const all = (value as { keys: unknown[] }).keys
  const keys: Jwk[] = []
  for (const key of all) {
    if (typeof key !== 'object' || key === null) continue
    const jwk = key as Record<string, unknown>
    if (typeof jwk.kty !== 'string' || !ASYMMETRIC_KTY.has(jwk.kty)) continue
    if (jwk.use !== undefined && jwk.use !== 'sig') continue
    if (PRIVATE_PARAMS.some((p) => jwk[p] !== undefined)) continue
    keys.push(jwk as Jwk)
  }
  return { keys, ignored: all.length - keys.length }
}

export type FetchJwksOptions = Readonly<{
  /** for the whole exchange, redirects and body included (default 5000) */
  timeoutMs?: number
  /** largest accepted body (default 64 KiB) */
  maxBytes?: number
  /** same-origin redirects followed (default 3) */
  maxRedirects?: number
  fetch?: typeof fetch
}>

/** One GET of a JWKS endpoint, bounded in time and size. Throws JwksFetchError. */
export async function fetchJwks(url: string, options: FetchJwksOptions = {}): Promise<ParsedJwks> {
  const timeoutMs = options.timeoutMs ?? 5000
  const maxBytes = options.maxBytes ?? 64 * 1024
  const maxRedirects = options.maxRedirects ?? 3
  const doFetch = options.fetch ?? fetch
  const signal = AbortSignal.timeout(timeoutMs)
  let target = new URL(url)
  const origin = target.origin
  try {
    for (let redirects = 0; ; redirects++) {
      const res = await doFetch(target, {
        redirect: 'manual',
        signal,
        headers: { Accept: 'application/jwk-set+json, application/json', 'User-Agent': 'data-api' },
      })
      const location = res.headers.get('location')
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel().catch(() => undefined)
        const next = new URL(location, target)
        if (next.origin !== origin) throw new JwksFetchError(`refused a redirect to another origin (${next.origin})`)
        if (redirects >= maxRedirects) throw new JwksFetchError(`more than ${maxRedirects} redirects`)
        target = next
        continue
      }
      if (res.status !== 200) {
        await res.body?.cancel().catch(() => undefined)
        throw new JwksFetchError(`HTTP ${res.status}`)
      }
      const text = await readLimited(res, maxBytes)
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch {
        throw new JwksFetchError('the response is not JSON')
      }
      return parseJwks(json)
    }
  } catch (err) {
    if (err instanceof JwksFetchError) throw err
    if (signal.aborted) throw new JwksFetchError(`no answer within ${timeoutMs} ms`)
    const cause = (err as { cause?: { code?: string; message?: string } }).cause
    throw new JwksFetchError(cause?.message || cause?.code || (err as Error).message || String(err))
  }
}

async function readLimited(res: Response, maxBytes: number): Promise<string> {
  const declared = Number(res.headers.get('content-length'))
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined)
    throw new JwksFetchError(`the key set is larger than ${maxBytes} bytes`)
  }
  if (!res.body) return ''
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined)
      throw new JwksFetchError(`the key set is larger than ${maxBytes} bytes`)
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** A key set given in the configuration. */
export class StaticKeySource implements KeySource {
  readonly ignored: number
  private readonly parsed: readonly Jwk[]
  constructor(jwks: unknown) {
    const { keys, ignored } = parseJwks(jwks)
    this.parsed = keys
    this.ignored = ignored
  }
  async keys(_kid?: string): Promise<readonly Jwk[]> {
    return this.parsed
  }
}

export type RemoteJwksOptions = FetchJwksOptions &
  Readonly<{
    /** an unknown kid refetches at most this often (default 30 s) */
    minRefetchIntervalMs?: number
    /** before any key set was loaded, retry at most this often (default 2 s) */
    initialRetryIntervalMs?: number
    /** background refresh period (default 5 min); 0 = none */
    refreshIntervalMs?: number
    now?: () => number
    onFetched?: (keys: readonly Jwk[], ignored: number) => void
    /** `hasKeys`: a key set from an earlier fetch is still in use */
    onError?: (err: JwksFetchError, hasKeys: boolean) => void
  }>

export type RemoteJwksStatus = Readonly<{
  url: string
  keys: number
  fetchedAt: number | undefined
  lastError: string | undefined
}>

/** A provider's JWKS endpoint, cached. */
export class RemoteKeySource implements KeySource {
  private current: readonly Jwk[] | undefined
  private fetchedAt: number | undefined
  private lastAttemptAt = Number.NEGATIVE_INFINITY
  private lastError: JwksFetchError | undefined
  private pending: Promise<void> | undefined
  private timer: NodeJS.Timeout | undefined
  private readonly now: () => number

  constructor(
    readonly url: string,
    private readonly options: RemoteJwksOptions = {},
  ) {
    this.now = options.now ?? Date.now
  }

  async keys(kid: string | undefined): Promise<readonly Jwk[]> {
    if (this.current === undefined) {
      if (this.pending || this.since() >= (this.options.initialRetryIntervalMs ?? 2000)) await this.refresh()
      if (this.current === undefined) {
        throw new JwksUnavailableError(`the key set at ${this.url} could not be fetched: ${this.lastError?.message ?? 'unknown error'}`)
      }
    } else if (kid !== undefined && !this.current.some((k) => k.kid === kid)) {
      if (this.pending || this.since() >= (this.options.minRefetchIntervalMs ?? 30_000)) await this.refresh()
    }
    return this.current
  }

  /** Fetches now (joining a fetch in flight). Never rejects: a failure keeps the last good key set. */
  refresh(): Promise<void> {
    if (this.pending) return this.pending
    this.lastAttemptAt = this.now()
    this.pending = fetchJwks(this.url, this.options)
      .then(
        ({ keys, ignored }) => {
          this.current = keys
          this.fetchedAt = this.now()
          this.lastError = undefined
          this.options.onFetched?.(keys, ignored)
        },
        (err: unknown) => {
          this.lastError = err instanceof JwksFetchError ? err : new JwksFetchError(String(err))
          this.options.onError?.(this.lastError, this.current !== undefined)
        },
      )
      .finally(() => {
        // the rate limits count from the end of an attempt: a slow failure does not eat into them
        this.lastAttemptAt = this.now()
        this.pending = undefined
      })
    return this.pending
  }

  /** Starts the background refresh (the first fetch at once). The timer does not keep the process alive. */
  start(): void {
    if (this.timer) return
    void this.refresh()
    const every = this.options.refreshIntervalMs ?? 300_000
    if (every > 0) {
      this.timer = setInterval(() => void this.refresh(), every)
      this.timer.unref()
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
  }

  status(): RemoteJwksStatus {
    return { url: this.url, keys: this.current?.length ?? 0, fetchedAt: this.fetchedAt, lastError: this.lastError?.message }
  }

  private since(): number {
    return this.now() - this.lastAttemptAt
  }
}
