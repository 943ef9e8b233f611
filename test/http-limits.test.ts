/**
 * The HTTP edges under pressure and abuse: methods no route answers, CORS preflight for origins not
 * allowed, slow clients (408), too many requests at once (503 with Retry-After), /ready when the
 * database does not answer in time, clients that go away mid-request (no error logged), and reset
 * links that never reach the log.
 */
import { connect } from 'node:net'
import { Writable } from 'node:stream'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REDACTED_PATHS } from '../src/server/logger.js'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

/** A raw HTTP exchange: what the server writes back before closing (or within `ms`). */
function raw(url: string, text: string, options: { ms?: number; keepOpen?: boolean } = {}): Promise<string> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(text))
    let answer = ''
    socket.on('data', (c) => (answer += c.toString()))
    socket.on('error', reject)
    socket.on('close', () => resolve(answer))
    setTimeout(() => {
      socket.destroy()
      resolve(answer)
    }, options.ms ?? 10_000)
  })
}

function capture(): { logger: pino.Logger; lines: () => string[] } {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString())
      done()
    },
  })
  return { logger: pino({ level: 'debug', redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' } }, stream), lines: () => lines }
}

describe.each(backends)('HTTP limits on %s', (backend) => {
  let s: TestServer
  const log = capture()

  beforeAll(async () => {
    s = await startTestServer(backend, { maxConcurrentRequests: 3, requestTimeoutSeconds: 1, corsOrigins: ['https://app.example.com'] }, { logger: log.logger })
    await s.sql(`create function slow(seconds float) returns int language sql as $$ select 1 from pg_sleep(seconds) $$;
      grant execute on function slow(float) to anonymous;`)
  })
  afterAll(async () => s?.close())

  it('refuses TRACE and CONNECT on every route with 405', async () => {
    for (const path of [`/${s.app.db.name}/rest/v1/anything`, '/api/v2/projects', '/mcp', '/live']) {
      const res = await fetch(`${s.app.url}${path}`, { method: 'TRACE' }).catch(() => undefined)
      // fetch refuses to send TRACE itself; the raw request below is what a client can do
      void res
      const answer = await raw(s.app.url, `TRACE ${path} HTTP/1.1\r\nHost: x\r\nCookie: secret=1\r\nConnection: close\r\n\r\n`)
      expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 405 Method Not Allowed')
      expect(answer).not.toContain('secret=1')
    }
    const connectAnswer = await raw(s.app.url, `CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n`)
    expect(connectAnswer.split('\r\n')[0]).toBe('HTTP/1.1 405 Method Not Allowed')
  })

  it('answers a preflight from an origin not allowed without CORS headers, and an allowed one with them', async () => {
    const preflight = (origin: string) =>
      fetch(`${s.base}/`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'GET' } })
    const other = await preflight('https://evil.example.com')
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
    const allowed = await preflight('https://app.example.com')
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true')
  })

  it('closes a client that does not send its whole request in time with 408', async () => {
    const answer = await raw(s.app.url, `POST ${new URL(s.base).pathname}/rpc/slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{"sec`, {
      ms: 15_000,
    })
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout')
  })

  // embedded, a statement runs on the event loop itself: nothing else is even accepted meanwhile
  it.runIf(backend === 'postgres')('answers 503 with Retry-After beyond the concurrent request limit, and serves again after', async () => {
    const slow = Array.from({ length: 3 }, () => s.request('/rpc/slow?seconds=1.5'))
    await new Promise((r) => setTimeout(r, 300))
    const refused = await s.request('/rpc/slow?seconds=0')
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('1')
    expect(await refused.json()).toEqual({ code: 'PGRST003', details: null, hint: 'Too many requests at once; retry shortly', message: 'The server is busy' })
    expect((await Promise.all(slow)).map((r) => r.status)).toEqual([200, 200, 200])
    expect((await s.request('/rpc/slow?seconds=0')).status).toBe(200)
  })

  it('logs a client that goes away mid-request at debug, without an error', async () => {
    await raw(s.app.url, `POST ${new URL(s.base).pathname}/rpc/slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{"s`, { ms: 200 })
    await new Promise((r) => setTimeout(r, 300))
    const lines = log.lines()
    expect(lines.some((l) => l.includes('A client went away before its request was read'))).toBe(true)
    expect(lines.filter((l) => JSON.parse(l).level >= 50)).toEqual([])
  })
})

describe.runIf(backends.includes('postgres'))('/ready', () => {
  it('answers 503 when the database does not answer in time, and 200 again after', async () => {
    // one connection: a long statement holds it, and the health query waits for it
    const s = await startTestServer('postgres', { poolSize: 1 })
    try {
      await s.sql(`create function slow(seconds float) returns int language sql as $$ select 1 from pg_sleep(seconds) $$;
        grant execute on function slow(float) to anonymous;`)
      expect((await fetch(`${s.app.url}/ready`)).status).toBe(200)
      const slow = s.request('/rpc/slow?seconds=3.5')
      await new Promise((r) => setTimeout(r, 300))
      const busy = await fetch(`${s.app.url}/ready`)
      expect([busy.status, await busy.text()]).toEqual([503, 'the database did not answer within 2000 ms'])
      expect((await slow).status).toBe(200)
      expect((await fetch(`${s.app.url}/ready`)).status).toBe(200)
    } finally {
      await s.close()
    }
  })
})

describe('secrets and the log', () => {
  it('never logs a password-reset link; without an email transport it says the email was not sent', async () => {
    const log = capture()
    const s = await startTestServer('pglite', {}, { logger: log.logger })
    try {
      const auth = s.authUrl!
      const origin = new URL(auth).origin
      const post = (path: string, body: unknown) =>
        fetch(`${auth}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: origin }, body: JSON.stringify(body) })
      expect((await post('/sign-up/email', { email: 'reset-me@example.com', password: 'correct-horse-battery', name: 'R' })).status).toBe(200)
      expect((await post('/request-password-reset', { email: 'reset-me@example.com', redirectTo: `${origin}/done` })).status).toBe(200)
      await new Promise((r) => setTimeout(r, 300))
      const text = log.lines().join('')
      expect(text).toContain('The reset-password email to r***@example.com was not sent: no email transport is configured')
      expect(text).not.toContain('reset-me@example.com')
      expect(text).not.toMatch(/reset-password\/[A-Za-z0-9]/)
      expect(text).toContain('no email transport, so verification and password-reset emails are not sent')
    } finally {
      await s.close()
    }
  })
})

describe.runIf(backends.includes('postgres'))('abandoned and waiting requests on PostgreSQL', () => {
  let s: TestServer
  let watcher: import('pg').Client
  beforeAll(async () => {
    s = await startTestServer('postgres', { poolSize: 1, poolTimeoutSeconds: 1 })
    const { default: pg } = await import('pg')
    // a connection of its own: the server's one connection is busy with what is watched
    watcher = new pg.Client({ connectionString: s.app.config.databaseUrl })
    await watcher.connect()
    await s.sql(`create function slow(seconds float) returns int language sql as $$ select 1 from pg_sleep(seconds) $$;
      grant execute on function slow(float) to anonymous;`)
  })
  afterAll(async () => {
    await watcher?.end()
    await s?.close()
  })

  const running = async () =>
    (await watcher.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where query like '%"slow"(%' and state = 'active' and pid <> pg_backend_pid()`)).rows[0]!.n

  it('cancels the statement of a client that went away', async () => {
    const abort = new AbortController()
    const request = s.request('/rpc/slow?seconds=20', { signal: abort.signal }).catch(() => undefined)
    const started = Date.now()
    while ((await running()) === 0 && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 50))
    expect(await running()).toBe(1)
    abort.abort()
    await request
    const cancelledBy = Date.now() + 5000
    while ((await running()) > 0 && Date.now() < cancelledBy) await new Promise((r) => setTimeout(r, 50))
    expect(await running()).toBe(0)
    // the connection serves the next request
    expect((await s.request('/rpc/slow?seconds=0')).status).toBe(200)
  })

  it('cancels the statements of several clients that went away while pipelined on one connection', async () => {
    const aborts = [new AbortController(), new AbortController(), new AbortController()]
    const requests = aborts.map((a) => s.request('/rpc/slow?seconds=20', { signal: a.signal }).catch(() => undefined))
    const started = Date.now()
    while ((await running()) === 0 && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 50))
    expect(await running()).toBe(1) // one connection: the other two wait on its socket
    for (const a of aborts) a.abort()
    await Promise.all(requests)
    const cancelledBy = Date.now() + 5000
    while ((await running()) > 0 && Date.now() < cancelledBy) await new Promise((r) => setTimeout(r, 50))
    expect(await running()).toBe(0)
    // not one sleep of 20 s each after another: the connection serves the next request
    expect((await s.request('/rpc/slow?seconds=0')).status).toBe(200)
  })

  it('answers 503 PGRST003 with Retry-After when no connection is free in time', async () => {
    // one connection, four batches in flight on it at most: the fifth waits, and gives up after 1 s
    const slow = Array.from({ length: 4 }, () => s.request('/rpc/slow?seconds=2.5'))
    await new Promise((r) => setTimeout(r, 300))
    const waited = await s.request('/rpc/slow?seconds=0')
    expect(waited.status).toBe(503)
    expect(waited.headers.get('retry-after')).toBe('1')
    expect(await waited.json()).toEqual({ code: 'PGRST003', details: null, hint: null, message: 'Timed out acquiring connection from connection pool.' })
    expect((await Promise.all(slow)).map((r) => r.status)).toEqual([200, 200, 200, 200])
  })
})
