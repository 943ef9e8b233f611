/**
 * Domain data representations (issue 11 item 7, PostgREST's "data representations"): implicit casts
 * between a domain and json or text shape how its values are written out, read in from a payload
 * and compared in filters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

const SCHEMA = `
create domain color as integer;
create function color_from_text(text) returns color immutable language sql as
  $$ select ('x' || lpad(substr($1, 2), 8, '0'))::bit(32)::int $$;
create function color_from_json(json) returns color immutable language sql as $$ select color_from_text($1 #>> '{}') $$;
create function color_to_json(color) returns json immutable language sql as $$ select to_json('#' || lpad(to_hex($1), 6, '0')) $$;
create cast (text as color) with function color_from_text(text) as implicit;
create cast (json as color) with function color_from_json(json) as implicit;
create cast (color as json) with function color_to_json(color) as implicit;
create table paints (id int primary key, name text not null, shade color);
insert into paints values (1, 'lime', 65280), (2, 'red', 16711680);
grant usage on schema public to anonymous;
grant select, insert, update on paints to anonymous;
`

describe.each(backends)('data representations on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend)
    await s.sql(SCHEMA)
  })
  afterAll(async () => s?.close())

  const send = async (method: string, path: string, body?: unknown, prefer?: string) => {
    const res = await s.request(path, {
      method,
      headers: { 'Content-Type': 'application/json', ...(prefer ? { Prefer: prefer } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    return { status: res.status, body: text === '' ? null : JSON.parse(text) }
  }

  it('writes a domain value out through its json cast, for * and a named column', async () => {
    expect(await send('GET', '/paints?order=id')).toEqual({
      status: 200,
      body: [
        { id: 1, name: 'lime', shade: '#00ff00' },
        { id: 2, name: 'red', shade: '#ff0000' },
      ],
    })
    expect(await send('GET', '/paints?select=shade&id=eq.2')).toEqual({ status: 200, body: [{ shade: '#ff0000' }] })
  })

  it('reads filter values in through the text cast', async () => {
    expect(await send('GET', '/paints?select=name&shade=eq.%2300ff00')).toEqual({ status: 200, body: [{ name: 'lime' }] })
    expect(await send('GET', '/paints?select=name&shade=in.(%23ff0000,%23000001)')).toEqual({ status: 200, body: [{ name: 'red' }] })
  })

  it('reads payload values in through the json cast, for inserts and updates', async () => {
    expect(await send('POST', '/paints', { id: 3, name: 'blue', shade: '#0000ff' }, 'return=representation')).toEqual({
      status: 201,
      body: [{ id: 3, name: 'blue', shade: '#0000ff' }],
    })
    expect(await send('PATCH', '/paints?id=eq.3', { shade: '#000080' }, 'return=representation')).toEqual({
      status: 200,
      body: [{ id: 3, name: 'blue', shade: '#000080' }],
    })
    const [row] = await s.app.db.query<{ shade: number }>('select shade from paints where id = 3')
    expect(row).toEqual({ shade: 128 })
  })
})
