/**
 * Stopping a server (SIGTERM, app.close()) lets the requests in flight finish before the pool closes,
 * and refuses new connections meanwhile.
 */
import { describe, expect, it } from 'vitest'
import { backends, startTestServer } from './support/test-server.js'

describe.each(backends)('stopping on %s', (backend) => {
  it('answers a request in flight, then stops', async () => {
    const s = await startTestServer(backend)
    await s.sql(`
      create function slow_hello() returns text language sql volatile as $$ select pg_sleep(0.5); select 'hello'::text $$;
      grant usage on schema public to anonymous;
      grant execute on function slow_hello() to anonymous;`)
    const inFlight = s.request('/rpc/slow_hello', { method: 'POST' })
    await new Promise((r) => setTimeout(r, 150))
    const stopped = s.close()
    const res = await inFlight
    expect({ status: res.status, body: await res.json() }).toEqual({ status: 200, body: 'hello' })
    await stopped
    await expect(fetch(`${s.app.url}/live`)).rejects.toThrow()
  })
})
