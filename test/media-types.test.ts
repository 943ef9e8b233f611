/**
 * Media types (issue 11 item 6): media type handlers as PostgREST v14 has them (domains named after
 * a media type, returned by a function or by an aggregate over a relation or anyelement, the
 * any-type handler included), a lone value column as text/plain, text/xml or application/octet-stream, the built-in
 * CSV and GeoJSON unchanged, and 406 PGRST107 for anything else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

const SCHEMA = `
create table notes (id int primary key, title text not null, body bytea, doc xml);
insert into notes values (1, 'first', '\\x68656c6c6f', '<n>1</n>'), (2, 'second', null, null);
create table pics (id int primary key, name text);
create table tags (id int primary key, name text);
insert into tags values (1, 'red'), (2, 'blue');
insert into pics values (1, 'cat'), (2, 'dog');
create domain "text/plain" as text;
create domain "application/vnd.custom" as bytea;
create domain "text/csv" as text;
create domain "text/tab-separated-values" as text;
create domain "*/*" as bytea;
create function greet(name text) returns "text/plain" language sql as $$ select 'Hello, ' || name $$;
create function packed() returns "application/vnd.custom" language sql as $$ select '\\x010203'::bytea $$;
create function title_of(id int) returns text language sql as $$ select title from notes where notes.id = title_of.id $$;
create function body_of(id int) returns bytea language sql as $$ select body from notes where notes.id = body_of.id $$;
create function semi_step(state "text/csv", next notes) returns "text/csv" language sql as
  $$ select coalesce(state || E'\\n', 'id;title' || E'\\n') || next.id || ';' || next.title $$;
create aggregate semi_csv(notes) (stype = "text/csv", sfunc = semi_step);
create function tsv_step(state "text/tab-separated-values", next anyelement) returns "text/tab-separated-values" language sql as
  $$ select coalesce(state || E'\\n', '') || replace(trim(both '()' from next::text), ',', E'\\t') $$;
create aggregate tsv(anyelement) (stype = "text/tab-separated-values", sfunc = tsv_step);
create function pic_step(state "*/*", next pics) returns "*/*" language sql as
  $$ select coalesce(state, ''::bytea) || convert_to(next.name, 'UTF8') $$;
create aggregate pic_bytes(pics) (stype = "*/*", sfunc = pic_step);
grant usage on schema public to anonymous;
grant select on notes, pics, tags to anonymous;
`

describe.each(backends)('media types on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend)
    await s.sql(SCHEMA)
  })
  afterAll(async () => s?.close())

  const get = async (path: string, accept: string) => {
    const res = await s.request(path, { headers: { Accept: accept } })
    return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()).toString('hex') }
  }
  const text = (t: string) => Buffer.from(t).toString('hex')

  it('answers a function returning a media type domain in that media type', async () => {
    expect(await get('/rpc/greet?name=you', 'text/plain')).toEqual({ status: 200, type: 'text/plain; charset=utf-8', body: text('Hello, you') })
    expect(await get('/rpc/packed', 'application/vnd.custom')).toEqual({ status: 200, type: 'application/vnd.custom', body: '010203' })
    expect(await get('/rpc/greet?name=you', 'application/json')).toEqual({ status: 200, type: 'application/json; charset=utf-8', body: text('"Hello, you"') })
  })

  it('answers a lone value column as text/plain, text/xml or application/octet-stream', async () => {
    expect(await get('/rpc/title_of?id=1', 'text/plain')).toEqual({ status: 200, type: 'text/plain; charset=utf-8', body: text('first') })
    expect(await get('/rpc/body_of?id=1', 'application/octet-stream')).toEqual({ status: 200, type: 'application/octet-stream', body: text('hello') })
    expect(await get('/notes?select=body&id=eq.1', 'application/octet-stream')).toEqual({ status: 200, type: 'application/octet-stream', body: text('hello') })
    expect(await get('/notes?select=doc&id=eq.1', 'text/xml')).toEqual({ status: 200, type: 'text/xml; charset=utf-8', body: text('<n>1</n>') })
    expect(await get('/notes?select=title&order=id', 'text/plain')).toEqual({ status: 200, type: 'text/plain; charset=utf-8', body: text('firstsecond') })
  })

  it('renders a relation through its aggregate handler, overriding the built-in CSV, only for select=*', async () => {
    expect(await get('/notes?order=id', 'text/csv')).toEqual({ status: 200, type: 'text/csv; charset=utf-8', body: text('id;title\n1;first\n2;second') })
    expect(await get('/notes?select=id,title&order=id', 'text/csv')).toEqual({ status: 200, type: 'text/csv; charset=utf-8', body: text('id,title\n1,first\n2,second') })
  })

  it('renders any relation through an anyelement handler (text/tab-separated-values)', async () => {
    expect(await get('/tags?order=id', 'text/tab-separated-values')).toEqual({ status: 200, type: 'text/tab-separated-values', body: text('1\tred\n2\tblue') })
  })

  it('lets a */* handler answer every media type of its relation, as application/octet-stream', async () => {
    expect(await get('/pics?order=id', 'application/json')).toEqual({ status: 200, type: 'application/octet-stream', body: text('catdog') })
    expect(await get('/pics?select=name&order=id', 'application/json')).toEqual({ status: 200, type: 'application/json; charset=utf-8', body: text('[{"name":"cat"}, \n {"name":"dog"}]') })
  })

  it('keeps PostgREST vendor types out of reach of handlers', async () => {
    expect(await get('/pics?id=eq.1', 'application/vnd.pgrst.object+json')).toEqual({ status: 200, type: 'application/vnd.pgrst.object+json; charset=utf-8', body: text('{"id":1,"name":"cat"}') })
  })

  it('answers 406 PGRST107 for a media type nothing produces', async () => {
    expect(await get('/notes?select=id,title', 'image/png')).toEqual({
      status: 406,
      type: 'application/json; charset=utf-8',
      body: text('{"code":"PGRST107","details":null,"hint":null,"message":"None of these media types are available: image/png"}'),
    })
    expect(await get('/rpc/greet?name=x', 'image/png, application/vnd.custom')).toEqual({
      status: 406,
      type: 'application/json; charset=utf-8',
      body: text('{"code":"PGRST107","details":null,"hint":null,"message":"None of these media types are available: image/png, application/vnd.custom"}'),
    })
  })
})
