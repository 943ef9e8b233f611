/**
 * DATA_API_SERVER_TIMING_ENABLED=true: every REST answer says how long each stage took, in
 * PostgREST's Server-Timing format. Off by default.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

const STAGES = /^jwt;dur=\d+\.\d, parse;dur=\d+\.\d, plan;dur=\d+\.\d, transaction;dur=\d+\.\d, response;dur=\d+\.\d$/

describe.each(backends)('Server-Timing on %s', (backend) => {
  let timed: TestServer
  let plain: TestServer
  const SETUP = `
    create table clocks (id int primary key, name text);
    insert into clocks values (1, 'big ben');
    grant usage on schema public to anonymous;
    grant select, insert on clocks to anonymous;`

  beforeAll(async () => {
    timed = await startTestServer(backend, { serverTimingEnabled: true })
    await timed.sql(SETUP)
    plain = await startTestServer(backend)
    await plain.sql(SETUP)
  })
  afterAll(async () => {
    await timed?.close()
    await plain?.close()
  })

  it('times every stage of a read, a repeated read and a write', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await timed.request('/clocks?id=eq.1')
      expect(res.status).toBe(200)
      expect(res.headers.get('server-timing')).toMatch(STAGES)
    }
    const write = await timed.request('/clocks', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"id": 2, "name": "cuckoo"}' })
    expect(write.status).toBe(201)
    expect(write.headers.get('server-timing')).toMatch(STAGES)
  })

  it('is absent by default', async () => {
    const res = await plain.request('/clocks')
    expect(res.status).toBe(200)
    expect(res.headers.get('server-timing')).toBeNull()
  })
})
