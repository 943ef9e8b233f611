/**
 * Several exposed schemas: Accept-Profile (GET/HEAD/OPTIONS) and Content-Profile (POST...) choose the
 * schema of reads, RPC and the OpenAPI document; responses name it in Content-Profile; an unexposed
 * schema is PGRST106. Runs against the real server on each backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

const SETUP = `
create schema shop;
create table public.items (id int primary key, name text);
insert into public.items values (1, 'public item');
create table shop.items (id int primary key, name text, price numeric);
insert into shop.items values (1, 'shop item', 9.5), (2, 'other shop item', 20);
create table shop.orders (id int primary key, item_id int references shop.items(id), qty int);
insert into shop.orders values (1, 2, 3);
create function shop.cheap(max_price numeric) returns setof shop.items language sql stable
  as $$ select * from shop.items where price <= max_price order by id $$;
create function shop.where_am_i() returns text language sql stable as $$ select current_schema()::text $$;
create function public.where_am_i() returns text language sql stable as $$ select 'public' $$;
create schema hidden;
grant usage on schema shop, public to anonymous;
grant select on all tables in schema public, shop to anonymous;
`

describe.each(backends)('multiple schemas on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend, { schemas: ['public', 'shop'] })
    await s.sql(SETUP)
  })
  afterAll(async () => s?.close())

  const get = (path: string, headers: Record<string, string> = {}) => s.request(path, { headers })

  it('reads the first schema by default and says so, as several are exposed', async () => {
    const res = await get('/items')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-profile')).toBe('public')
    expect(await res.json()).toEqual([{ id: 1, name: 'public item' }])
  })

  it('reads another schema with Accept-Profile, embedding within it', async () => {
    const res = await get('/orders?select=qty,items(name)', { 'Accept-Profile': 'shop' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-profile')).toBe('shop')
    expect(await res.json()).toEqual([{ qty: 3, items: { name: 'other shop item' } }])
    const head = await s.request('/items', { method: 'HEAD', headers: { 'Accept-Profile': 'shop' } })
    expect(head.headers.get('content-profile')).toBe('shop')
  })

  it('refuses an unexposed schema with 406 PGRST106', async () => {
    const res = await get('/items', { 'Accept-Profile': 'hidden' })
    expect(res.status).toBe(406)
    expect(await res.json()).toEqual({
      code: 'PGRST106',
      details: null,
      hint: 'Only the following schemas are exposed: public, shop',
      message: 'Invalid schema: hidden',
    })
  })

  it('calls functions of the chosen schema: Accept-Profile on GET, Content-Profile on POST', async () => {
    let res = await get('/rpc/cheap?max_price=10&select=name', { 'Accept-Profile': 'shop' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-profile')).toBe('shop')
    expect(await res.json()).toEqual([{ name: 'shop item' }])

    res = await s.request('/rpc/cheap', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Profile': 'shop' },
      body: JSON.stringify({ max_price: 100 }),
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-profile')).toBe('shop')
    expect(((await res.json()) as unknown[]).length).toBe(2)

    // the search_path is the chosen schema
    expect(await (await get('/rpc/where_am_i', { 'Accept-Profile': 'shop' })).json()).toBe('shop')
    expect(await (await get('/rpc/where_am_i')).json()).toBe('public')
  })

  it('looks functions up in the chosen schema only', async () => {
    const res = await s.request('/rpc/cheap', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"max_price": 1}' })
    expect(res.status).toBe(404)
    expect(((await res.json()) as { message: string }).message).toBe('Could not find the function public.cheap(max_price) in the schema cache')
  })

  it('describes the chosen schema in the OpenAPI document', async () => {
    const res = await get('/', { 'Accept-Profile': 'shop' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-profile')).toBe('shop')
    const doc = (await res.json()) as { paths: Record<string, unknown>; definitions: Record<string, unknown> }
    expect(Object.keys(doc.paths).sort()).toEqual(['/', '/items', '/orders', '/rpc/cheap', '/rpc/where_am_i'])
    expect(Object.keys(doc.definitions).sort()).toEqual(['items', 'orders'])
  })
})

describe.each(backends)('one schema on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend)
    await s.sql('create table things (id int primary key); grant select on things to anonymous;')
  })
  afterAll(async () => s?.close())

  it('sends Content-Profile only when the client named the schema', async () => {
    expect((await s.request('/things')).headers.get('content-profile')).toBeNull()
    const res = await s.request('/things', { headers: { 'Accept-Profile': 'public' } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-profile')).toBe('public')
  })
})
