/**
 * Bad input gets PostgREST's 4xx answers: never a 500, never SQL text, never a broken connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

describe.each(backends)('bad input on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend, { poolSize: 2 })
    await s.sql(`
      create table items (id int primary key, name text, price numeric, data jsonb);
      insert into items values (1, 'one', 1.5, '{"a": 1}'), (2, 'two', 2.5, '{"a": 2}');
      grant usage on schema public to anonymous;
      grant select on items to anonymous;`)
  })
  afterAll(async () => s?.close())

  const call = async (path: string, init?: RequestInit) => {
    const res = await s.request(path, init)
    const text = await res.text()
    return { status: res.status, headers: res.headers, text, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined }
  }

  it('answers 404 PGRST205 with a suggestion for an unknown table', async () => {
    const { status, body, headers } = await call('/itemz')
    expect(status).toBe(404)
    expect(headers.get('proxy-status')).toBe('PostgREST; error=PGRST205')
    expect(body).toEqual({
      code: 'PGRST205',
      details: null,
      hint: "Perhaps you meant the table 'public.items'",
      message: "Could not find the table 'public.itemz' in the schema cache",
    })
  })

  it('answers 404 PGRST205 without a hint when nothing is close', async () => {
    const { body } = await call('/zzzzzzzzzzzz')
    expect(body).toEqual({ code: 'PGRST205', details: null, hint: null, message: "Could not find the table 'public.zzzzzzzzzzzz' in the schema cache" })
  })

  it('answers 404 PGRST125 for paths that are not resources', async () => {
    expect((await call('/items/1')).body).toEqual({ code: 'PGRST125', details: null, hint: null, message: 'Invalid path specified in request URL' })
    const res = await fetch(`${s.app.url}/otherdb/rest/v1/items`)
    expect(res.status).toBe(404)
  })

  it('answers 405 PGRST117 for unsupported methods', async () => {
    const { status, body } = await call('/items', { method: 'PROPFIND' })
    expect(status).toBe(405)
    expect(body?.code).toBe('PGRST117')
  })

  it('answers 406 PGRST106 for a schema that is not exposed', async () => {
    const { status, body } = await call('/items', { headers: { 'Accept-Profile': 'secret' } })
    expect(status).toBe(406)
    expect(body).toEqual({ code: 'PGRST106', details: null, hint: 'Only the following schemas are exposed: public', message: 'Invalid schema: secret' })
  })

  it.each([
    ['select=id,(', 'select'],
    ['select=id)', 'select'],
    ['select=items(id', 'select'],
    ['select=a::int);drop', 'select'],
    ['id=zz.1', 'filter'],
    ['id=', 'filter'],
    ['id=in.(1', 'filter'],
    ['order=id.sideways', 'order'],
    ['select=*,items!inner!left!x!y(id)', 'select'],
    // `$` would reach SQL as a parameter ($1) or a dollar quote ($$) in the unquoted type name
    ['select=id::text%241', 'select'],
    ['select=id::int%20%24%24', 'select'],
    ['select=total:id.sum()::text%241', 'select'],
    ['select=id::in%2Dt', 'select'],
  ])('answers 400 PGRST100 for %s', async (query) => {
    const { status, body, text } = await call(`/items?${query}`)
    expect(status).toBe(400)
    expect(body?.code).toBe('PGRST100')
    expect(text).not.toMatch(/SELECT|FROM|WHERE|CAST/)
  })

  it('ignores a limit that is not a whole number, as PostgREST does', async () => {
    const { status, body } = await call('/items?select=id&order=id&limit=abc')
    expect(status).toBe(200)
    expect(body).toEqual([{ id: 1 }, { id: 2 }])
  })

  it('answers 400 for a value Postgres cannot read as the column type', async () => {
    const { status, body } = await call('/items?id=eq.abc')
    expect(status).toBe(400)
    expect(body).toEqual({ code: '22P02', details: null, hint: null, message: 'invalid input syntax for type integer: "abc"' })
  })

  it('survives NUL bytes in names and values', async () => {
    expect((await call('/items?name=eq.a%00b')).status).toBeLessThan(500)
    expect((await call('/items?select=id%00,name')).status).toBeLessThan(500)
    expect((await call('/it%00ems')).status).toBe(404)
  })

  it('survives invalid UTF-8 and broken percent-encoding', async () => {
    for (const q of ['name=eq.%C3%28', 'name=eq.%E0%A4', 'na%ZZme=eq.1', 'select=%FF']) {
      const { status } = await call(`/items?${q}`)
      expect(status, q).toBeGreaterThanOrEqual(400)
      expect(status, q).toBeLessThan(500)
    }
  })

  it('survives 10,000-character parameters', async () => {
    const long = 'x'.repeat(10_000)
    expect((await call(`/items?name=eq.${long}`)).status).toBe(200)
    expect((await call(`/items?select=${long}`)).status).toBe(400)
    expect((await call(`/items?${long}=eq.1`)).status).toBe(400)
  })

  it('survives 1,000-deep nesting', async () => {
    const deepSelect = `${'a('.repeat(1000)}id${')'.repeat(1000)}`
    expect((await call(`/items?select=${deepSelect}`)).status).toBe(400)
    const deepOr = `or=(${'or('.repeat(1000)}id.eq.1${')'.repeat(1001)}`
    expect((await call(`/items?${deepOr}`)).status).toBe(400)
    expect((await call(`/items?select=${'('.repeat(1000)}`)).status).toBe(400)
  })

  it('keeps connections healthy after errors', async () => {
    for (let i = 0; i < 10; i++) {
      expect((await call('/items?id=eq.abc')).status).toBe(400)
      expect((await call('/items?select=nope')).status).toBe(400)
    }
    const { status, body } = await call('/items?select=id&order=id')
    expect(status).toBe(200)
    expect(body).toEqual([{ id: 1 }, { id: 2 }])
  })
})
