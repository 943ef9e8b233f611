/**
 * Counts (issue 11 item 8): Prefer: count=planned from the planner (EXPLAIN), count=estimated exact
 * up to max-rows and the planner's estimate above, with Content-Range and 200/206 as PostgREST.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

const SCHEMA = `
create table events (id int primary key, kind text not null);
insert into events select g, case when g % 2 = 0 then 'even' else 'odd' end from generate_series(1, 200) g;
analyze events;
create function all_events() returns setof events language sql stable as $$ select * from events $$;
grant usage on schema public to anonymous;
grant select on events to anonymous;
`

describe.each(backends)('counts on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend, { maxRows: 50 })
    await s.sql(SCHEMA)
  })
  afterAll(async () => s?.close())

  const head = async (path: string, prefer: string) => {
    const res = await s.request(path, { headers: { Prefer: prefer } })
    const rows = (await res.json()) as unknown[]
    return { status: res.status, range: res.headers.get('content-range'), applied: res.headers.get('preference-applied'), rows: rows.length }
  }

  it('takes count=planned from the planner', async () => {
    expect(await head('/events?limit=10', 'count=planned')).toEqual({ status: 206, range: '0-9/200', applied: 'count=planned', rows: 10 })
  })

  it('counts exactly with count=estimated up to max-rows', async () => {
    expect(await head('/events?id=lte.30', 'count=estimated')).toEqual({ status: 200, range: '0-29/30', applied: 'count=estimated', rows: 30 })
  })

  it('takes the estimate with count=estimated above max-rows', async () => {
    expect(await head('/events', 'count=estimated')).toEqual({ status: 206, range: '0-49/200', applied: 'count=estimated', rows: 50 })
  })

  it('counts exactly with count=exact, max-rows capping the page only', async () => {
    expect(await head('/events?kind=eq.odd', 'count=exact')).toEqual({ status: 206, range: '0-49/100', applied: 'count=exact', rows: 50 })
  })

  it('plans the count of a function returning a table', async () => {
    const res = await head('/rpc/all_events?limit=5', 'count=planned')
    expect(res.status).toBe(206)
    expect(res.range).toMatch(/^0-4\/\d+$/)
  })
})
