import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { signingKey, startJwksServer, type JwksServer, type SigningKey } from '../../test/support/jwks-server.js'
import { fetchJwks, JwksFetchError, JwksUnavailableError, parseJwks, RemoteKeySource, StaticKeySource } from './jwks-cache.js'

let rs: SigningKey
let es: SigningKey
let ed: SigningKey
beforeAll(async () => {
  ;[rs, es, ed] = await Promise.all([signingKey('RS256', 'rs'), signingKey('ES256', 'es'), signingKey('EdDSA', 'ed')])
})

const servers: JwksServer[] = []
async function provider(keys: SigningKey[]): Promise<JwksServer> {
  const s = await startJwksServer(keys)
  servers.push(s)
  return s
}
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop()
})

describe('parseJwks', () => {
  it('keeps public signing keys and drops symmetric, private and encryption keys', () => {
    const parsed = parseJwks({
      keys: [
        rs.jwk,
        { kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' },
        { ...es.jwk, kid: 'private', d: 'xyz' },
        { ...es.jwk, kid: 'enc', use: 'enc' },
        'not a key',
        ed.jwk,
      ],
    })
    expect(parsed.keys.map((k) => k.kid)).toEqual(['rs', 'ed'])
    expect(parsed.ignored).toBe(4)
  })

  it.each([[null], [{}], [{ keys: 'x' }], [[{ kty: 'RSA' }]]])('refuses %j', (value) => {
    expect(() => parseJwks(value)).toThrow(JwksFetchError)
  })

  it('backs the inline key source', async () => {
    const source = new StaticKeySource({ keys: [rs.jwk, { kty: 'oct', k: 'AA' }] })
    expect((await source.keys(undefined)).map((k) => k.kid)).toEqual(['rs'])
    expect(source.ignored).toBe(1)
  })
})

describe('fetchJwks', () => {
  it('fetches a key set', async () => {
    const s = await provider([rs, es])
    const { keys } = await fetchJwks(s.url)
    expect(keys.map((k) => k.kid)).toEqual(['rs', 'es'])
  })

  it('gives up on a provider that does not answer, after the timeout', async () => {
    const s = await provider([rs])
    s.setMode('hang')
    const started = Date.now()
    await expect(fetchJwks(s.url, { timeoutMs: 300 })).rejects.toThrow('no answer within 300 ms')
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('reports a refused connection', async () => {
    const s = await provider([rs])
    await s.stop()
    await expect(fetchJwks(s.url)).rejects.toThrow(/ECONNREFUSED/)
  })

  it('reports an HTTP error and a body that is not JSON', async () => {
    const s = await provider([rs])
    s.setMode('error')
    await expect(fetchJwks(s.url)).rejects.toThrow('HTTP 503')
    s.setHandler((_req, res) => res.writeHead(200).end('<html>'))
    await expect(fetchJwks(s.url)).rejects.toThrow('the response is not JSON')
  })

  it('refuses a body larger than the limit, declared or streamed', async () => {
    const s = await provider([rs])
    const big = JSON.stringify({ keys: [rs.jwk], padding: 'x'.repeat(70_000) })
    s.setHandler((_req, res) => res.writeHead(200, { 'Content-Length': String(big.length) }).end(big))
    await expect(fetchJwks(s.url)).rejects.toThrow('larger than 65536 bytes')
    s.setHandler((_req, res) => {
      res.writeHead(200) // chunked: no Content-Length
      for (let i = 0; i < 10; i++) res.write('x'.repeat(10_000))
      res.end()
    })
    await expect(fetchJwks(s.url, { maxBytes: 50_000 })).rejects.toThrow('larger than 50000 bytes')
  })

  it('follows a redirect on the same origin', async () => {
    const s = await provider([rs])
    s.setHandler((req, res) => {
      if (req.url === '/old') res.writeHead(302, { Location: '/.well-known/jwks.json' }).end()
      else res.writeHead(200).end(JSON.stringify({ keys: [rs.jwk] }))
    })
    const { keys } = await fetchJwks(s.url.replace('/.well-known/jwks.json', '/old'))
    expect(keys).toHaveLength(1)
  })

  it('refuses a redirect to another origin, and redirect loops', async () => {
    const other = await provider([es])
    const s = await provider([rs])
    s.setHandler((_req, res) => res.writeHead(301, { Location: other.url }).end())
    await expect(fetchJwks(s.url)).rejects.toThrow(/refused a redirect to another origin/)
    expect(other.requests()).toBe(0)
    s.setHandler((_req, res) => res.writeHead(302, { Location: '/again' }).end())
    await expect(fetchJwks(s.url)).rejects.toThrow('more than 3 redirects')
  })
})

describe('RemoteKeySource', () => {
  it('loads on first use and then answers from its cache', async () => {
    const s = await provider([rs])
    const source = new RemoteKeySource(s.url)
    expect((await source.keys('rs')).map((k) => k.kid)).toEqual(['rs'])
    await source.keys('rs')
    await source.keys(undefined)
    expect(s.requests()).toBe(1)
  })

  it('fetches once for many concurrent first requests', async () => {
    const s = await provider([rs])
    const source = new RemoteKeySource(s.url)
    await Promise.all(Array.from({ length: 20 }, () => source.keys('rs')))
    expect(s.requests()).toBe(1)
  })

  it('refetches on an unknown kid, at most once per interval', async () => {
    let now = 1_000_000
    const s = await provider([rs])
    const source = new RemoteKeySource(s.url, { now: () => now, minRefetchIntervalMs: 30_000 })
    await source.keys('rs')
    s.setKeys([rs, es]) // rotation: a new key appears
    now += 10_000
    expect((await source.keys('es')).map((k) => k.kid)).toEqual(['rs']) // too soon to ask again
    expect(s.requests()).toBe(1)
    now += 21_000
    expect((await source.keys('es')).map((k) => k.kid)).toEqual(['rs', 'es'])
    expect(s.requests()).toBe(2)
    // garbage kids cannot make it hammer the provider
    for (let i = 0; i < 10; i++) await source.keys(`garbage-${i}`)
    expect(s.requests()).toBe(2)
  })

  it('keeps the last good key set while the provider is down', async () => {
    let now = 0
    const errors: string[] = []
    const s = await provider([rs])
    const source = new RemoteKeySource(s.url, { now: () => now, onError: (e, hasKeys) => errors.push(`${e.message} ${hasKeys}`) })
    await source.keys('rs')
    await s.stop()
    now += 60_000
    expect((await source.keys('unknown')).map((k) => k.kid)).toEqual(['rs'])
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/ECONNREFUSED.* true$/)
    expect(source.status()).toMatchObject({ keys: 1, lastError: expect.stringMatching(/ECONNREFUSED/) })
  })

  it('fails fast with JwksUnavailableError when no key set was ever loaded', async () => {
    const s = await provider([rs])
    await s.stop()
    let now = 0
    const source = new RemoteKeySource(s.url, { now: () => now, initialRetryIntervalMs: 1000 })
    await expect(source.keys('rs')).rejects.toThrow(JwksUnavailableError)
    // within the retry interval: no new attempt, same answer
    await expect(source.keys('rs')).rejects.toThrow(/could not be fetched: .*ECONNREFUSED/)
    now += 1000
    await expect(source.keys('rs')).rejects.toThrow(JwksUnavailableError)
  })

  it('refreshes in the background', async () => {
    const s = await provider([rs])
    const source = new RemoteKeySource(s.url, { refreshIntervalMs: 50 })
    source.start()
    try {
      const deadline = Date.now() + 5000
      while (s.requests() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
      expect(s.requests()).toBeGreaterThanOrEqual(3)
    } finally {
      source.stop()
    }
    const after = s.requests()
    await new Promise((r) => setTimeout(r, 200))
    expect(s.requests()).toBe(after)
  })

  it('answers within the timeout when the provider hangs', async () => {
    const hanging = createServer(() => undefined)
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r))
    try {
      const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/jwks`
      const source = new RemoteKeySource(url, { timeoutMs: 200 })
      const started = Date.now()
      await expect(source.keys('x')).rejects.toThrow(JwksUnavailableError)
      expect(Date.now() - started).toBeLessThan(2000)
    } finally {
      hanging.closeAllConnections()
      await new Promise((r) => hanging.close(r))
    }
  })
})
