/**
 * statement_timeout per request (issue 13.3): every request's transaction runs with
 * db_statement_timeout unless the role it switches to has its own (ALTER ROLE ... SET, in this
 * database or in all of them) or the called function sets one; a statement past it answers 500
 * 57014 as in PostgREST; a setting changed through the management API applies to the next request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

const SCHEMA = `
do $$ begin
  if not exists (select from pg_roles where rolname = 'timeout_local') then create role timeout_local nologin; end if;
  if not exists (select from pg_roles where rolname = 'timeout_wide') then create role timeout_wide nologin; end if;
  -- cluster-wide values are the same for every run, so concurrent runs on one cluster agree
  alter role timeout_local set statement_timeout = '9s';
  alter role timeout_wide set statement_timeout = '9s';
  execute format('alter role timeout_local in database %I set statement_timeout = %L', current_database(), '7s');
end $$;
create function current_timeout() returns text language sql stable as $$ select current_setting('statement_timeout') $$;
create function nap() returns int language sql volatile as $$ select pg_sleep(1); select 1 $$;
create function patient_nap() returns int language sql volatile set statement_timeout = '5s' as $$ select pg_sleep(0.3); select 1 $$;
grant usage on schema public to timeout_local, timeout_wide, authenticated;
grant execute on function current_timeout() to timeout_local, timeout_wide;
`

const timedOut = { code: '57014', details: null, hint: null, message: 'canceling statement due to statement timeout' }

describe.each(backends)('statement_timeout on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend, { statementTimeoutMs: 150 })
    await s.sql(SCHEMA)
  })
  afterAll(async () => s?.close())

  const timeoutAs = async (role?: string) => {
    const res = await s.request('/rpc/current_timeout', role ? { token: await s.token({ role }) } : {})
    return [res.status, await res.json()]
  }

  it('runs every request with db_statement_timeout', async () => {
    expect(await timeoutAs()).toEqual([200, '150ms'])
  })

  it("gives a role its own statement_timeout: this database's over all databases', both over the server's", async () => {
    expect(await timeoutAs('timeout_local')).toEqual([200, '7s'])
    expect(await timeoutAs('timeout_wide')).toEqual([200, '9s'])
    expect(await timeoutAs('authenticated')).toEqual([200, '150ms'])
  })

  it("sees a role's new setting after a schema reload", async () => {
    await s.sql(`alter role timeout_wide reset statement_timeout`)
    expect(await timeoutAs('timeout_wide')).toEqual([200, '150ms'])
    await s.sql(`alter role timeout_wide set statement_timeout = '9s'`)
    expect(await timeoutAs('timeout_wide')).toEqual([200, '9s'])
  })

  // PGlite (WebAssembly) has no timers, so statement_timeout never fires there: only the value is checked above
  it.runIf(backend === 'postgres')('cancels a statement past it: 500 57014, as PostgREST answers', async () => {
    const res = await s.request('/rpc/nap', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })
    expect(res.status).toBe(500)
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(await res.json()).toEqual(timedOut)
  })

  it.runIf(backend === 'postgres')("lets a function's own statement_timeout win", async () => {
    const res = await s.request('/rpc/patient_nap', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })
    expect([res.status, await res.json()]).toEqual([200, 1])
  })
})

describe.each(backends)('db_statement_timeout changed at runtime on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend)
    await s.sql(SCHEMA)
  })
  afterAll(async () => s?.close())

  const patch = (settings: Record<string, unknown>) =>
    fetch(`${s.app.url}/api/v2/projects/local/branches/main/data-api/${s.app.db.name}`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${s.app.adminKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ settings }),
    })
  const current = async () => {
    const res = await s.request('/rpc/current_timeout')
    return [res.status, await res.json()]
  }

  it('defaults to 30 s, applies a PATCH on the next request, and 0 leaves the session’s own', async () => {
    expect(await current()).toEqual([200, '30s'])
    expect((await patch({ db_statement_timeout: 250 })).status).toBe(201)
    expect(await current()).toEqual([200, '250ms'])
    expect((await patch({ db_statement_timeout: 0 })).status).toBe(201)
    // the session's own value: PostgreSQL's default, none
    expect(await current()).toEqual([200, '0'])
  })

  it('refuses a negative or fractional value with 400', async () => {
    const res = await patch({ db_statement_timeout: -1 })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { errors: unknown }).errors).toEqual([{ path: 'settings.db_statement_timeout', message: 'must not be negative' }])
  })
})
