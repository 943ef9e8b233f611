/**
 * RPC: /rpc/fn with POST (JSON, form, raw bodies) and GET/HEAD (query-string arguments), overload
 * resolution and its errors, result shapes, read features over table-valued results, read-only
 * transactions, response GUCs and the pre-request function. Runs against the real server on each
 * backend.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

const library = readFileSync(new URL('./fixtures/library.sql', import.meta.url), 'utf8')
const functions = readFileSync(new URL('./fixtures/rpc.sql', import.meta.url), 'utf8')

const JSON_TYPE = 'application/json; charset=utf-8'

describe.each(backends)('rpc on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend)
    await s.sql(library)
    await s.sql(functions)
  })
  afterAll(async () => s?.close())

  const get = (path: string, headers: Record<string, string> = {}) => s.request(path, { headers })
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    s.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
  const ok = async (res: Response) => {
    expect(res.status, await res.clone().text()).toBe(200)
    return res.json()
  }

  describe('arguments', () => {
    it('calls with named JSON arguments and answers a scalar as a JSON value', async () => {
      const res = await post('/rpc/add_them', { a: 1, b: 2 })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe(JSON_TYPE)
      expect(res.headers.get('content-range')).toBe('0-0/*')
      expect(res.headers.get('content-location')).toBeNull()
      expect(await res.text()).toBe('3')
    })

    it('calls with query-string arguments on GET, typed by the declared parameter types', async () => {
      expect(await ok(await get('/rpc/add_them?a=40&b=2'))).toBe(42)
      expect(await ok(await get('/rpc/greet?name=you'))).toBe('Hello, you!')
    })

    it('answers HEAD without a body', async () => {
      const res = await s.request('/rpc/add_them?a=1&b=2', { method: 'HEAD' })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe(JSON_TYPE)
      expect(await res.text()).toBe('')
    })

    it('treats an empty body as no arguments and lets defaults apply', async () => {
      expect(await ok(await post('/rpc/greet', ''))).toBe('Hello, world!')
      expect(await ok(await post('/rpc/greet', { punctuation: '?' }))).toBe('Hello, world?')
      expect(await ok(await get('/rpc/hello'))).toBe('Hello')
    })

    it('uses the first element of a JSON array body', async () => {
      expect(await ok(await post('/rpc/add_them', [{ a: 1, b: 1 }, { a: 5, b: 5 }]))).toBe(2)
    })

    it('reads an urlencoded form and CSV', async () => {
      const res = await post('/rpc/add_them', 'a=3&b=4', { 'Content-Type': 'application/x-www-form-urlencoded' })
      expect(await ok(res)).toBe(7)
      expect(await ok(await post('/rpc/add_them', 'a,b\n5,6', { 'Content-Type': 'text/csv' }))).toBe(11)
    })

    it('passes arrays and JSON documents', async () => {
      expect(await ok(await post('/rpc/array_len', { arr: [1, 2] }))).toBe(2)
      expect(await ok(await get('/rpc/array_len?arr={1,2,3}'))).toBe(3)
      expect(await ok(await post('/rpc/json_keys', { doc: { b: 1, a: 2 } }))).toEqual(['a', 'b'])
    })

    it('fills a variadic parameter from a JSON array or a repeated query parameter', async () => {
      expect(await ok(await post('/rpc/sum_all', { nums: [1, 2, 3] }))).toBe(6)
      expect(await ok(await get('/rpc/sum_all?nums=1&nums=2&nums=3&nums=4'))).toBe(10)
      expect(await ok(await get('/rpc/sum_all?nums=5'))).toBe(5)
    })

    it('gives the whole body to a single unnamed json, text or bytea parameter', async () => {
      expect(await ok(await post('/rpc/echo_json', '[1,{"a":2}]'))).toEqual([1, { a: 2 }])
      expect(await ok(await post('/rpc/echo_json', { x: 1 }))).toEqual({ x: 1 })
      expect(await ok(await post('/rpc/echo_text', 'plain words', { 'Content-Type': 'text/plain' }))).toBe('got: plain words')
      const bytes = await s.request('/rpc/bytea_length', {
        method: 'POST',
        headers: { 'Content-Type': 'application/octet-stream' },
        body: new Uint8Array([0, 1, 2, 255, 0]),
      })
      expect(await ok(bytes)).toBe(5)
    })

    it('answers 400 PGRST102 for invalid JSON and an unknown Content-Type', async () => {
      let res = await post('/rpc/add_them', '{"a":')
      expect(res.status).toBe(400)
      expect(await res.json()).toEqual({ code: 'PGRST102', details: null, hint: null, message: 'Empty or invalid json' })
      res = await post('/rpc/add_them', '<a/>', { 'Content-Type': 'application/x-thing' })
      expect(res.status).toBe(400)
      expect(await res.json()).toEqual({ code: 'PGRST102', details: null, hint: null, message: 'Content-Type not acceptable: application/x-thing' })
    })
  })

  describe('overloads', () => {
    it('chooses the overload whose parameters match the argument names', async () => {
      expect(await ok(await get('/rpc/overloaded'))).toBe('none')
      expect(await ok(await get('/rpc/overloaded?a=1'))).toBe('int 1')
      expect(await ok(await post('/rpc/overloaded', { a: 1, b: 2 }))).toBe('two 3')
    })

    it('answers 300 PGRST203 when several overloads match', async () => {
      const res = await get('/rpc/ambiguous?a=1')
      expect(res.status).toBe(300)
      expect(await res.json()).toEqual({
        code: 'PGRST203',
        details: null,
        hint: 'Try renaming the parameters or the function itself in the database so function overloading can be resolved',
        message: 'Could not choose the best candidate function between: public.ambiguous(a => integer), public.ambiguous(a => text)',
      })
    })

    it('answers 404 PGRST202 with the closest function name as a hint', async () => {
      const res = await get('/rpc/helo')
      expect(res.status).toBe(404)
      expect(res.headers.get('proxy-status')).toBe('PostgREST; error=PGRST202')
      expect(await res.json()).toEqual({
        code: 'PGRST202',
        details: 'Searched for the function public.helo without parameters, but no matches were found in the schema cache.',
        hint: 'Perhaps you meant to call the function public.hello',
        message: 'Could not find the function public.helo without parameters in the schema cache',
      })
    })

    it('answers 404 PGRST202 with the closest parameter list of the overloads as a hint', async () => {
      const res = await post('/rpc/add_them', { a: 1, c: 2 })
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual({
        code: 'PGRST202',
        details:
          'Searched for the function public.add_them with parameters a, c or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.',
        hint: 'Perhaps you meant to call the function public.add_them(a, b)',
        message: 'Could not find the function public.add_them(a, c) in the schema cache',
      })
    })

    it('answers 404 PGRST202 without a hint for a raw body nobody takes', async () => {
      const res = await post('/rpc/add_them', 'x', { 'Content-Type': 'text/plain' })
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual({
        code: 'PGRST202',
        details: 'Searched for the function public.add_them with a single unnamed text parameter, but no matches were found in the schema cache.',
        hint: null,
        message: 'Could not find the function public.add_them in the schema cache',
      })
    })

    it('refuses PUT, PATCH and DELETE with 405 PGRST101', async () => {
      const res = await s.request('/rpc/hello', { method: 'PATCH' })
      expect(res.status).toBe(405)
      expect(await res.json()).toEqual({ code: 'PGRST101', details: null, hint: null, message: 'Cannot use the PATCH method on RPC' })
    })
  })

  describe('results', () => {
    it('answers null for a NULL scalar', async () => {
      const res = await get('/rpc/nothing')
      expect(res.status).toBe(200)
      expect(await res.text()).toBe('null')
    })

    it('answers an array for SETOF scalar, pageable', async () => {
      expect(await ok(await get('/rpc/book_years'))).toEqual([1968, 1969, 1961, 1979, 1974, 2000])
      const res = await get('/rpc/book_years?limit=2&offset=1')
      expect(res.headers.get('content-range')).toBe('1-2/*')
      expect(await res.json()).toEqual([1969, 1961])
    })

    it('answers an object for a single composite and for OUT parameters', async () => {
      expect(await ok(await get('/rpc/first_book?select=id,title'))).toEqual({ id: 1, title: 'A Wizard of Earthsea' })
      expect(await ok(await get('/rpc/book_title?id=2'))).toEqual({ title: 'The Left Hand of Darkness', year: 1969 })
    })

    it('answers an array of objects for SETOF table and TABLE(...)', async () => {
      expect(await ok(await get('/rpc/books_by?author=3&select=id,title'))).toEqual([
        { id: 4, title: 'Kindred' },
        { id: 6, title: 'Parable of the Sower' },
      ])
      expect(await ok(await get('/rpc/author_counts'))).toEqual([
        { author_id: 1, books: 3 },
        { author_id: 2, books: 1 },
        { author_id: 3, books: 2 },
      ])
    })

    it('answers 204 without body or Content-Type for void', async () => {
      const res = await post('/rpc/do_nothing', {})
      expect(res.status).toBe(204)
      expect(res.headers.get('content-type')).toBeNull()
      expect(res.headers.get('content-length')).toBeNull()
      expect(await res.text()).toBe('')
    })

    it('answers a singular object with vnd.pgrst.object, and 406 PGRST116 otherwise', async () => {
      const object = 'application/vnd.pgrst.object+json'
      let res = await get('/rpc/books_by?author=2&select=title', { Accept: object })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('application/vnd.pgrst.object+json; charset=utf-8')
      expect(await res.json()).toEqual({ title: 'Solaris' })
      res = await get('/rpc/books_by?author=1', { Accept: object })
      expect(res.status).toBe(406)
      expect(await res.json()).toEqual({
        code: 'PGRST116',
        details: 'The result contains 3 rows',
        hint: null,
        message: 'Cannot coerce the result to a single JSON object',
      })
    })

    it('answers CSV for table-valued results', async () => {
      const res = await get('/rpc/books_by?author=3&select=id,title', { Accept: 'text/csv' })
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
      expect(await res.text()).toBe('id,title\n4,Kindred\n6,"Parable of the Sower"')
    })
  })

  describe('read features over table-valued results', () => {
    it('filters (also on unselected columns), orders and pages', async () => {
      expect(await ok(await get('/rpc/books_by?author=1&select=title&year=gt.1968&order=year.desc'))).toEqual([
        { title: 'The Dispossessed' },
        { title: 'The Left Hand of Darkness' },
      ])
      const res = await get('/rpc/books_by?author=1&select=id&order=id', { Range: '1-1', Prefer: 'count=exact' })
      expect(res.status).toBe(206)
      expect(res.headers.get('content-range')).toBe('1-1/3')
      expect(res.headers.get('preference-applied')).toBe('count=exact')
      expect(await res.json()).toEqual([{ id: 2 }])
    })

    it('treats a query parameter that parses as a filter as a filter, others as arguments', async () => {
      expect(await ok(await get('/rpc/books_by?author=1&id=gt.1&select=id'))).toEqual([{ id: 2 }, { id: 5 }])
    })

    it('embeds through the foreign keys of the returned table', async () => {
      expect(await ok(await get('/rpc/books_by?author=2&select=title,authors(name),reviews(stars)'))).toEqual([
        { title: 'Solaris', authors: { name: 'Stanisław Lem' }, reviews: [{ stars: 5 }] },
      ])
      expect(await ok(await get('/rpc/all_authors?select=name,books!inner(id)&books.year=gt.1999'))).toEqual([
        { name: 'Octavia E. Butler', books: [{ id: 6 }] },
      ])
    })

    it('selects computed columns and embeds computed relationships', async () => {
      expect(await ok(await get('/rpc/books_by?author=2&select=id,title_upper'))).toEqual([{ id: 3, title_upper: 'SOLARIS' }])
      expect(await ok(await get('/rpc/all_authors?select=id,latest_book(title)&id=lte.2'))).toEqual([
        { id: 1, latest_book: { title: 'The Dispossessed' } },
        { id: 2, latest_book: { title: 'Solaris' } },
      ])
    })

    it('counts the rows of a volatile function while running it once', async () => {
      const before = (await ok(await get('/reviews?select=id'))) as unknown[]
      const res = await post('/rpc/touch_reviews', {}, { Prefer: 'count=exact' })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-range')).toBe('0-0/1')
      const after = (await ok(await get('/reviews?select=id'))) as unknown[]
      expect(after.length).toBe(before.length + 1)
    })
  })

  describe('transactions', () => {
    it('runs a volatile function read-write on POST', async () => {
      const res = await post('/rpc/add_review', { book: 2, stars: 4 })
      expect(res.status).toBe(200)
      expect(await res.json()).toMatchObject({ book_id: 2, stars: 4, body: null })
    })

    it('runs GET read-only: a function that writes fails with 405 (SQLSTATE 25006)', async () => {
      const res = await get('/rpc/add_review?book=2&stars=1')
      expect(res.status).toBe(405)
      expect(await res.json()).toEqual({ code: '25006', details: null, hint: null, message: 'cannot execute INSERT in a read-only transaction' })
    })

    it('rolls a volatile function back when the singular check fails', async () => {
      const count = async () => ((await ok(await get('/reviews?select=id'))) as unknown[]).length
      const before = await count()
      const res = await post('/rpc/touch_reviews', {}, { Accept: 'application/vnd.pgrst.object+json' })
      expect(res.status).toBe(200)
      expect(await count()).toBe(before + 1)
      await s.sql(`create function touch_twice() returns setof reviews language sql volatile as $$
        insert into reviews (id, book_id, stars) select coalesce(max(id), 0) + g, 1, 1 from reviews, generate_series(1, 2) g group by g returning * $$`)
      const twice = await post('/rpc/touch_twice', {}, { Accept: 'application/vnd.pgrst.object+json' })
      expect(twice.status).toBe(406)
      expect(await count()).toBe(before + 1)
    })

    it('applies Prefer: timezone to the function', async () => {
      await s.sql(`create function now_text() returns text language sql stable as $$ select to_char(timestamptz '2026-01-01 12:00:00+00', 'HH24:MI TZ') $$`)
      const res = await get('/rpc/now_text', { Prefer: 'timezone=America/New_York' })
      expect(res.headers.get('preference-applied')).toBe('timezone=America/New_York')
      expect(await res.json()).toBe('07:00 EST')
    })

    it('sets the request context for the function', async () => {
      expect(await ok(await post('/rpc/request_method', {}))).toBe('POST')
      expect(await ok(await get('/rpc/whoami'))).toBe('anonymous')
    })
  })

  describe('response GUCs', () => {
    it('lets a function set response headers and status', async () => {
      const res = await get('/rpc/cached_hello')
      expect(res.status).toBe(202)
      expect(res.headers.get('cache-control')).toBe('public, max-age=60')
      expect(res.headers.get('x-greeting')).toBe('hi')
      expect(await res.json()).toBe('Hello')
    })

    it('answers 500 PGRST112 for an invalid response.status', async () => {
      const res = await get('/rpc/bad_status')
      expect(res.status).toBe(500)
      expect(await res.json()).toEqual({ code: 'PGRST112', details: null, hint: null, message: 'response.status guc must be a valid status code' })
    })
  })

  describe('OPTIONS', () => {
    it('allows GET only for stable and immutable functions', async () => {
      expect((await s.request('/rpc/hello', { method: 'OPTIONS' })).headers.get('allow')).toBe('OPTIONS,GET,HEAD,POST')
      expect((await s.request('/rpc/add_review', { method: 'OPTIONS' })).headers.get('allow')).toBe('OPTIONS,POST')
    })
  })
})

describe.each(backends)('db-pre-request on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend, { preRequest: { schema: 'public', name: 'check_request' } })
    await s.sql(library)
    await s.sql(`
      create table pre_request_calls (n int);
      grant select, insert on pre_request_calls to anonymous;
      create function check_request() returns void language plpgsql as $$
      begin
        if current_setting('request.headers', true)::json->>'x-block' = 'yes' then
          raise sqlstate 'PT403' using message = 'blocked by pre-request';
        end if;
        perform set_config('response.headers', '[{"X-Pre-Request": "ran"}]', true);
      end $$;
      create function count_calls() returns bigint language sql stable as $$ select count(*) from pre_request_calls $$;
    `)
  })
  afterAll(async () => s?.close())

  it('runs before the main query of reads and calls, and its response headers are kept', async () => {
    const read = await s.request('/genres?select=id&id=eq.1')
    expect(read.status).toBe(200)
    expect(read.headers.get('x-pre-request')).toBe('ran')
    const call = await s.request('/rpc/count_calls')
    expect(call.status).toBe(200)
    expect(call.headers.get('x-pre-request')).toBe('ran')
  })

  it('can refuse a request by raising', async () => {
    const res = await s.request('/genres', { headers: { 'X-Block': 'yes' } })
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ code: 'PT403', details: null, hint: null, message: 'blocked by pre-request' })
  })

  it('runs exactly once per request, inside the request transaction', async () => {
    await s.sql(`
      create or replace function check_request() returns void language plpgsql as $$
      begin
        if current_setting('request.method', true) = 'POST' then insert into pre_request_calls values (1); end if;
      end $$;
      create function noop_write() returns int language sql volatile as $$ select 1 $$;
    `)
    const res = await s.request('/rpc/noop_write', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })
    expect(res.status).toBe(200)
    expect(await (await s.request('/rpc/count_calls')).json()).toBe(1)
  })
})
