/**
 * RPC arguments (issue 11 item 5): a single unnamed json/jsonb/text/bytea/xml parameter takes the
 * whole body; functions returning record, SETOF record and composites; declared argument types
 * (char(n), bit(n), varchar(n), numeric(p,s)) respected; repeated parameters fill variadic and
 * array arguments, in the query string and in form bodies; overloads that cannot be told apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

const SCHEMA = `
create table pets (id int primary key, name text not null);
insert into pets values (1, 'Rex'), (2, 'Tom');
create function pad(c char(3), b bit(3), v varchar(5), n numeric(6,2)) returns text language sql as
  $$ select c || '|' || b::text || '|' || v || '|' || n::text $$;
create function one_record() returns record language sql as $$ select 1 as id, 'a'::text as label $$;
create function some_records() returns setof record language sql as $$ values (1, 'a'::text), (2, 'b') $$;
create function with_outs(out id int, out label text) language sql as $$ select 7, 'x' $$;
create function first_pet() returns pets language sql as $$ select * from pets order by id limit 1 $$;
create function sum_array(nums int[]) returns int language sql as $$ select sum(x)::int from unnest(nums) x $$;
create function sum_variadic(variadic nums int[]) returns int language sql as $$ select sum(x)::int from unnest(nums) x $$;
create function raw_text(text) returns text language sql as $$ select upper($1) $$;
create function raw_bytes(bytea) returns int language sql as $$ select length($1) $$;
create function raw_xml(xml) returns text language sql as $$ select (xpath('/a/text()', $1))[1]::text $$;
create function raw_json(json) returns json language sql as $$ select json_build_object('got', $1) $$;
create function twin(json) returns int language sql as $$ select 1 $$;
create function twin(jsonb) returns int language sql as $$ select 2 $$;
create function pick(a int) returns int language sql as $$ select a $$;
create function pick(a text) returns int language sql as $$ select 0 $$;
grant usage on schema public to anonymous;
grant select on pets to anonymous;
`

describe.each(backends)('RPC arguments on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend)
    await s.sql(SCHEMA)
  })
  afterAll(async () => s?.close())

  const call = async (path: string, init: { method?: string; body?: string; type?: string } = {}) => {
    const res = await s.request(path, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: init.type ? { 'Content-Type': init.type } : {},
      body: init.body,
    })
    return { status: res.status, type: res.headers.get('content-type'), body: await res.json() }
  }
  const ok = (body: unknown) => ({ status: 200, type: 'application/json; charset=utf-8', body })

  it('respects declared argument types, char(n) and bit(n) included', async () => {
    expect(await call('/rpc/pad?c=abc&b=101&v=hello&n=1234.5')).toEqual(ok('abc|101|hello|1234.5'))
    expect(await call('/rpc/pad', { body: '{"c":"abc","b":"101","v":"hello","n":1234.5}', type: 'application/json' })).toEqual(ok('abc|101|hello|1234.5'))
    expect(await call('/rpc/pad', { body: 'c=xyz&b=011&v=hi&n=2.5', type: 'application/x-www-form-urlencoded' })).toEqual(ok('xyz|011|hi|2.5'))
  })

  it('answers functions returning record, SETOF record, OUT parameters and a composite', async () => {
    expect(await call('/rpc/one_record')).toEqual(ok({ id: 1, label: 'a' }))
    expect(await call('/rpc/some_records')).toEqual(
      ok([
        { column1: 1, column2: 'a' },
        { column1: 2, column2: 'b' },
      ]),
    )
    expect(await call('/rpc/with_outs')).toEqual(ok({ id: 7, label: 'x' }))
    expect(await call('/rpc/first_pet?select=name')).toEqual(ok({ name: 'Rex' }))
  })

  it('fills array and variadic arguments from repeated parameters', async () => {
    expect(await call('/rpc/sum_array?nums=1&nums=2&nums=3')).toEqual(ok(6))
    expect(await call('/rpc/sum_array?nums={4,5}')).toEqual(ok(9))
    expect(await call('/rpc/sum_variadic?nums=1&nums=2')).toEqual(ok(3))
    expect(await call('/rpc/sum_variadic?nums=5')).toEqual(ok(5))
    expect(await call('/rpc/sum_variadic', { body: 'nums=1&nums=5', type: 'application/x-www-form-urlencoded' })).toEqual(ok(6))
    expect(await call('/rpc/sum_array', { body: 'nums=2&nums=5', type: 'application/x-www-form-urlencoded' })).toEqual(ok(7))
    expect(await call('/rpc/sum_variadic', { body: '{"nums":[1,2,3]}', type: 'application/json' })).toEqual(ok(6))
  })

  it('hands the whole body to a single unnamed parameter of its type', async () => {
    expect(await call('/rpc/raw_text', { body: 'hello there', type: 'text/plain' })).toEqual(ok('HELLO THERE'))
    expect(await call('/rpc/raw_bytes', { body: 'abcd', type: 'application/octet-stream' })).toEqual(ok(4))
    expect(await call('/rpc/raw_xml', { body: '<a>inside</a>', type: 'text/xml' })).toEqual(ok('inside'))
    expect(await call('/rpc/raw_json', { body: '{"x":[1,2]}', type: 'application/json' })).toEqual(ok({ got: { x: [1, 2] } }))
  })

  it('answers 300 PGRST203 for overloads it cannot tell apart', async () => {
    const hint = 'Try renaming the parameters or the function itself in the database so function overloading can be resolved'
    expect(await call('/rpc/pick?a=1')).toEqual({
      status: 300,
      type: 'application/json; charset=utf-8',
      body: { code: 'PGRST203', details: null, hint, message: 'Could not choose the best candidate function between: public.pick(a => integer), public.pick(a => text)' },
    })
    expect(await call('/rpc/twin', { body: '{}', type: 'application/json' })).toEqual({
      status: 300,
      type: 'application/json; charset=utf-8',
      body: { code: 'PGRST203', details: null, hint, message: 'Could not choose the best candidate function between: public.twin( => json), public.twin( => jsonb)' },
    })
  })
})
