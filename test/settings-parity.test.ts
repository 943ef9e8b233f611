/**
 * Settings PostgREST users rely on (issue 11 item 10): app.settings.* visible to SQL, db-root-spec
 * answering `/`, server-trace-header echoed, response.headers and response.status set from SQL on
 * every kind of answer, and EXPLAIN run with the request's search path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

const SCHEMA = `
create schema api;
create table api.items (id int primary key, name text);
insert into api.items values (1, 'one');
create function api.app_setting(name text) returns text language sql stable as $$ select current_setting('app.settings.' || name, true) $$;
create function api.root() returns json language sql stable as $$ select json_build_object('hello', 'root', 'path', current_setting('request.path', true)) $$;
create function api.tag_answer() returns void language plpgsql as $$
begin
  if current_setting('request.headers', true)::json->>'x-tag' is not null then
    perform set_config('response.headers', json_build_array(json_build_object('X-Tagged', current_setting('request.headers', true)::json->>'x-tag'))::text, true);
    perform set_config('response.status', '203', true);
  end if;
end $$;
grant usage on schema api to anonymous;
grant select on api.items to anonymous;
grant execute on all functions in schema api to anonymous;
`

describe.each(backends)('settings on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend, {
      schemas: ['api'],
      appSettings: { greeting: 'hi there', jwt_secret: 'not-the-real-one' },
      rootSpec: { schema: 'api', name: 'root' },
      serverTraceHeader: 'X-Request-Id',
      preRequest: { schema: 'api', name: 'tag_answer' },
      planEnabled: true,
    })
    await s.sql(SCHEMA)
  })
  afterAll(async () => s?.close())

  it('sets app.settings.* from configuration in every request', async () => {
    const res = await s.request('/rpc/app_setting?name=greeting')
    expect(res.status).toBe(200)
    expect(await res.json()).toBe('hi there')
    expect(await (await s.request('/rpc/app_setting?name=jwt_secret')).json()).toBe('not-the-real-one')
  })

  it('answers / with the db-root-spec function', async () => {
    const res = await s.request('/')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(await res.json()).toEqual({ hello: 'root', path: '/' })
  })

  it('echoes the trace header on answers and errors', async () => {
    let res = await s.request('/items', { headers: { 'X-Request-Id': 'abc-123' } })
    expect(res.status).toBe(200)
    expect(res.headers.get('x-request-id')).toBe('abc-123')
    res = await s.request('/nope', { headers: { 'X-Request-Id': 'def-456' } })
    expect(res.status).toBe(404)
    expect(res.headers.get('x-request-id')).toBe('def-456')
    res = await s.request('/items')
    expect(res.headers.get('x-request-id')).toBeNull()
  })

  it('applies response.headers and response.status set by SQL to reads, RPC and the root', async () => {
    for (const path of ['/items', '/rpc/app_setting?name=greeting', '/']) {
      const res = await s.request(path, { headers: { 'X-Tag': 'seen' } })
      expect([path, res.status, res.headers.get('x-tagged')]).toEqual([path, 203, 'seen'])
    }
  })

  it('explains with the request search path', async () => {
    const res = await s.request('/items', { headers: { Accept: 'application/vnd.pgrst.plan+json; options=settings' } })
    expect(res.status).toBe(200)
    const [plan] = (await res.json()) as { Settings?: Record<string, string> }[]
    expect(plan!.Settings?.search_path).toBe('"api", "public"')
  })
})
