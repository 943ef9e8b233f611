/**
 * GET/HEAD on tables and views: select, filters, logic trees, order, paging, counts, formats.
 * Runs against the real server on each backend.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

const fixture = readFileSync(new URL('./fixtures/library.sql', import.meta.url), 'utf8')

describe.each(backends)('reads on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend)
    await s.sql(fixture)
  })
  afterAll(async () => s?.close())

  const get = (path: string, headers: Record<string, string> = {}) => s.request(path, { headers })
  const ids = async (path: string) => ((await (await get(path)).json()) as { id: number }[]).map((r) => r.id)

  describe('select', () => {
    it('returns every column as a JSON array with Content-Range and Content-Location', async () => {
      const res = await get('/genres')
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
      expect(res.headers.get('content-range')).toBe('0-2/*')
      expect(res.headers.get('content-location')).toBe('/genres')
      expect(await res.json()).toEqual([
        { id: 1, name: 'Fantasy' },
        { id: 2, name: 'Science fiction' },
        { id: 3, name: 'Historical' },
      ])
    })

    it('picks, renames and casts columns', async () => {
      const res = await get('/books?select=id,name:title,year::text&id=lt.3&order=id')
      expect(await res.json()).toEqual([
        { id: 1, name: 'A Wizard of Earthsea', year: '1968' },
        { id: 2, name: 'The Left Hand of Darkness', year: '1969' },
      ])
    })

    it('reads JSON paths with -> and ->>, naming the output after the last key', async () => {
      const res = await get('/authors?select=id,meta->links->>site,first_award:meta->awards->0,meta->>awards&id=in.(1,2)&order=id')
      expect(await res.json()).toEqual([
        { id: 1, site: 'ursula.example', first_award: 'Hugo', awards: '["Hugo", "Nebula"]' },
        { id: 2, site: null, first_award: null, awards: '[]' },
      ])
    })

    it('reads array elements through an arrow', async () => {
      const res = await get('/books?select=id,tags->0&id=eq.1')
      expect(await res.json()).toEqual([{ id: 1, tags: 'fantasy' }])
    })

    it('treats an empty select as all columns', async () => {
      const res = await get('/genres?select=&id=eq.1')
      expect(await res.json()).toEqual([{ id: 1, name: 'Fantasy' }])
    })

    it('answers 400 with the PostgreSQL error for an unknown column', async () => {
      const res = await get('/genres?select=id,nope')
      expect(res.status).toBe(400)
      const body = (await res.json()) as Record<string, unknown>
      expect(body.code).toBe('42703')
      expect(body.message).toBe('column genres.nope does not exist')
    })

    it('reads views', async () => {
      expect(await ids('/recent_books?select=id')).toEqual([6])
    })
  })

  describe('filters', () => {
    it.each([
      ['year=eq.1969', [2]],
      ['year=neq.1969&year=lt.1970', [1, 3]],
      ['year=gt.1974', [4, 6]],
      ['year=gte.1974', [4, 5, 6]],
      ['year=lte.1961', [3]],
      ['title=like.*Earth*', [1]],
      ['title=ilike.*DARK*', [2]],
      ['title=match.^The', [2, 5]],
      ['title=imatch.^the', [2, 5]],
      ['id=in.(1,3,5)', [1, 3, 5]],
      ['id=not.in.(1,3,5)', [2, 4, 6]],
      ['id=in.()', []],
      ['price=is.null', [5]],
      ['price=not.is.null', [1, 2, 3, 4, 6]],
      ['price=is.not_null', [1, 2, 3, 4, 6]],
      ['summary=isdistinct.Solaris', [1, 2, 3, 4, 5, 6]],
      ['summary=isdistinct.An ocean planet', [1, 2, 4, 5, 6]],
      ['tags=cs.{classic}', [1, 2]],
      ['tags=cd.{scifi,history}', [3, 4, 5, 6]],
      ['tags=ov.{history,fantasy}', [1, 4]],
      ['during=sl.[1970,1980)', [1, 2, 3]],
      ['during=sr.[1965,1970)', [5, 6]],
      ['during=adj.[1961,1968)', [1]],
      ['during=adj.[1962,1968)', [1, 3]],
      ['during=nxr.[1962,1970)', [1, 2, 3]],
      ['during=nxl.[1969,1970)', [2, 5, 6]],
      ['search=fts.planet', [2, 3, 5]],
      ['search=fts(english).planets', [2, 3, 5]],
      ['search=plfts.winter planet', [2]],
      ['search=phfts(english).winter planet', [2]],
      ['search=wfts.ocean or drought', [3, 6]],
      ['summary=fts.planet', [2, 3]],
      ['year=eq(any).{1961,1979}', [3, 4]],
      ['title=like(any).{*Sower,Solaris}', [3, 6]],
      ['title=like(all).{*The*,*Dark*}', [2]],
      ['year=not.gt(any).{1970,1960}', []],
      ['title=not.eq.Solaris&author_id=eq.2', []],
    ])('%s', async (query, expected) => {
      expect(await ids(`/books?select=id&order=id&${query}`)).toEqual(expected)
    })

    it('answers requests of one shape with their own values', async () => {
      for (const id of [1, 2, 3, 1]) expect(await ids(`/books?select=id&id=eq.${id}`)).toEqual([id])
      expect(await ids('/books?select=id&order=id&title=like.*Dark*')).toEqual([2])
      expect(await ids('/books?select=id&order=id&title=like.*Sower')).toEqual([6])
      const res = await get('/books?select=id&id=eq.4&order=id')
      expect(res.headers.get('content-location')).toBe('/books?id=eq.4&order=id&select=id')
    })

    it('filters on JSON paths', async () => {
      expect(await ids('/authors?select=id&meta->links->>site=eq.ursula.example')).toEqual([1])
      expect(await ids('/authors?select=id&meta->awards=eq.[]')).toEqual([2])
    })

    it('filters on booleans with is', async () => {
      await s.sql('create table switches (id int primary key, on_ boolean); insert into switches values (1, true), (2, false), (3, null); grant select on switches to anonymous;')
      expect(await ids('/switches?select=id&on_=is.true&order=id')).toEqual([1])
      expect(await ids('/switches?select=id&on_=is.false&order=id')).toEqual([2])
      expect(await ids('/switches?select=id&on_=is.unknown&order=id')).toEqual([3])
      expect(await ids('/switches?select=id&on_=not.is.true&order=id')).toEqual([2, 3])
    })

    it('matches quoted values inside in lists', async () => {
      await s.sql(`create table labels (id int primary key, label text); insert into labels values (1, 'a,b'), (2, 'say "hi"'), (3, 'c'), (4, 'back\\slash'); grant select on labels to anonymous;`)
      expect(await ids(`/labels?select=id&order=id&label=in.("a,b","say \\"hi\\"")`)).toEqual([1, 2])
      expect(await ids(`/labels?select=id&order=id&label=in.(c,"back\\\\slash")`)).toEqual([3, 4])
    })
  })

  describe('logic trees', () => {
    it.each([
      ['or=(year.lt.1962,year.gt.1999)', [3, 6]],
      ['and=(year.gt.1960,year.lt.1969)', [1, 3]],
      ['not.or=(year.lt.1970,price.is.null)', [4, 6]],
      ['or=(id.eq.1,and(author_id.eq.3,year.gt.1990))', [1, 6]],
      ['or=(id.eq.1,not.and(author_id.neq.3,id.neq.2))', [1, 2, 4, 6]],
      ['or=(title.eq."The Left Hand of Darkness",tags.cs.{history})', [2, 4]],
      ['or=(id.in.(1,2),title.like.*Sower)', [1, 2, 6]],
      ['or=(during.adj."[1962,1968)",id.eq.6)', [1, 3, 6]],
      ['or=(search.fts(english).ocean,id.eq.5)', [3, 5]],
      ['year=gt.1960&or=(id.eq.1,id.eq.2)', [1, 2]],
    ])('%s', async (query, expected) => {
      expect(await ids(`/books?select=id&order=id&${query}`)).toEqual(expected)
    })

    it.each(['or=()', 'or=(id.eq.1', 'or=id.eq.1', 'and=(id.in.1,2)', 'or=(id.zz.1)'])('rejects %s with 400 PGRST100', async (query) => {
      const res = await get(`/books?${query}`)
      expect(res.status).toBe(400)
      expect(((await res.json()) as { code: string }).code).toBe('PGRST100')
    })
  })

  describe('order, limit, offset, Range', () => {
    it('orders by several terms with directions and nulls placement', async () => {
      expect(await ids('/books?select=id&order=price.desc.nullslast,id')).toEqual([6, 4, 2, 3, 1, 5])
      expect(await ids('/books?select=id&order=price.desc.nullsfirst')).toEqual([5, 6, 4, 2, 3, 1])
      expect(await ids('/books?select=id&order=author_id.asc,year.desc')).toEqual([5, 2, 1, 3, 6, 4])
    })

    it('orders by a JSON path', async () => {
      expect(await ids('/authors?select=id&order=meta->links->>site.asc.nullslast,id&id=lte.2')).toEqual([1, 2])
    })

    it('pages with limit and offset and reports the range', async () => {
      const res = await get('/books?select=id&order=id&limit=2&offset=1')
      expect(res.status).toBe(200)
      expect(res.headers.get('content-range')).toBe('1-2/*')
      expect(await res.json()).toEqual([{ id: 2 }, { id: 3 }])
    })

    it('returns an empty page for limit=0', async () => {
      const res = await get('/books?limit=0')
      expect(res.status).toBe(200)
      expect(res.headers.get('content-range')).toBe('*/*')
      expect(await res.text()).toBe('[]')
    })

    it('answers 416 for a negative limit', async () => {
      const res = await get('/books?limit=-1')
      expect(res.status).toBe(416)
      expect(await res.json()).toEqual({
        code: 'PGRST103',
        details: 'Limit should be greater than or equal to zero.',
        hint: null,
        message: 'Requested range not satisfiable',
      })
    })

    it('honours the Range header and intersects it with limit/offset', async () => {
      let res = await get('/books?select=id&order=id', { Range: '1-3', 'Range-Unit': 'items' })
      expect(res.headers.get('content-range')).toBe('1-3/*')
      expect(await res.json()).toEqual([{ id: 2 }, { id: 3 }, { id: 4 }])
      res = await get('/books?select=id&order=id&limit=2', { Range: '1-3' })
      expect(await res.json()).toEqual([{ id: 2 }])
      res = await get('/books?select=id&order=id', { Range: '4-' })
      expect(res.headers.get('content-range')).toBe('4-5/*')
    })

    it('answers 416 for an inverted Range', async () => {
      const res = await get('/books', { Range: '3-1' })
      expect(res.status).toBe(416)
      expect(((await res.json()) as { details: string }).details).toBe(
        'The lower boundary must be lower than or equal to the upper boundary in the Range header.',
      )
    })
  })

  describe('counts', () => {
    it('counts exactly and answers 206 for a partial page', async () => {
      const res = await get('/books?select=id&order=id&limit=2', { Prefer: 'count=exact' })
      expect(res.status).toBe(206)
      expect(res.headers.get('content-range')).toBe('0-1/6')
    })

    it('answers 200 when the page holds every row', async () => {
      const res = await get('/books?select=id&author_id=eq.1', { Prefer: 'count=exact' })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-range')).toBe('0-2/3')
    })

    it('answers 416 for an offset past the total', async () => {
      const res = await get('/books?offset=10', { Prefer: 'count=exact' })
      expect(res.status).toBe(416)
      expect(res.headers.get('content-range')).toBe('*/6')
      expect(await res.json()).toEqual({
        code: 'PGRST103',
        details: 'An offset of 10 was requested, but there are only 6 rows.',
        hint: null,
        message: 'Requested range not satisfiable',
      })
    })

    it('gives a total for planned and estimated counts', async () => {
      for (const count of ['planned', 'estimated']) {
        const res = await get('/books?select=id&limit=1', { Prefer: `count=${count}` })
        expect(res.headers.get('content-range')).toMatch(/^0-0\/\d+$/)
      }
    })
  })

  describe('media types', () => {
    it('returns one object for vnd.pgrst.object+json', async () => {
      const res = await get('/genres?id=eq.2', { Accept: 'application/vnd.pgrst.object+json' })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('application/vnd.pgrst.object+json; charset=utf-8')
      expect(await res.json()).toEqual({ id: 2, name: 'Science fiction' })
    })

    it.each([
      ['id=gt.0', 3],
      ['id=gt.10', 0],
    ])('answers 406 PGRST116 when %s does not yield exactly one row', async (query, rows) => {
      const res = await get(`/genres?${query}`, { Accept: 'application/vnd.pgrst.object+json' })
      expect(res.status).toBe(406)
      expect(await res.json()).toEqual({
        code: 'PGRST116',
        details: `The result contains ${rows} rows`,
        hint: null,
        message: 'Cannot coerce the result to a single JSON object',
      })
    })

    it('strips nulls on request', async () => {
      let res = await get('/authors?select=id,country&id=eq.4', { Accept: 'application/vnd.pgrst.array+json;nulls=stripped' })
      expect(res.headers.get('content-type')).toBe('application/vnd.pgrst.array+json;nulls=stripped; charset=utf-8')
      expect(await res.json()).toEqual([{ id: 4 }])
      res = await get('/authors?select=id,country&id=eq.4', { Accept: 'application/vnd.pgrst.object+json;nulls=stripped' })
      expect(await res.json()).toEqual({ id: 4 })
    })

    it('writes CSV with a header row', async () => {
      const res = await get('/genres?order=id', { Accept: 'text/csv' })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
      expect(await res.text()).toBe('id,name\n1,Fantasy\n2,"Science fiction"\n3,Historical')
    })

    it('falls back to JSON through */* and answers 406 for unknown types', async () => {
      let res = await get('/genres?id=eq.1', { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
      res = await get('/genres', { Accept: 'text/html' })
      expect(res.status).toBe(406)
      expect(await res.json()).toEqual({
        code: 'PGRST107',
        details: null,
        hint: null,
        message: 'None of these media types are available: text/html',
      })
    })
  })

  describe('Prefer', () => {
    it('renders times in the preferred timezone and says so', async () => {
      const res = await get('/authors?select=stamp:born::timestamptz&id=eq.1', { Prefer: 'timezone=America/Los_Angeles' })
      expect(res.headers.get('preference-applied')).toBe('timezone=America/Los_Angeles')
      expect(await res.json()).toEqual([{ stamp: '1929-10-21T00:00:00-08:00' }])
    })

    it('ignores an unknown timezone, or refuses it with handling=strict', async () => {
      let res = await get('/authors?select=id&id=eq.1', { Prefer: 'timezone=Mars/Olympus' })
      expect(res.status).toBe(200)
      expect(res.headers.get('preference-applied')).toBeNull()
      res = await get('/authors?select=id&id=eq.1', { Prefer: 'handling=strict, timezone=Mars/Olympus' })
      expect(res.status).toBe(400)
      expect(await res.json()).toEqual({
        code: 'PGRST122',
        details: 'Invalid preferences: timezone=Mars/Olympus',
        hint: null,
        message: 'Invalid preferences given with handling=strict',
      })
    })

    it('refuses unknown preferences with handling=strict', async () => {
      const res = await get('/authors', { Prefer: 'handling=strict, foo=bar, count=exact' })
      expect(res.status).toBe(400)
      expect(((await res.json()) as { details: string }).details).toBe('Invalid preferences: foo=bar')
    })

    it('echoes the count preference', async () => {
      const res = await get('/authors?select=id', { Prefer: 'count=exact' })
      expect(res.headers.get('preference-applied')).toBe('count=exact')
    })
  })

  describe('HEAD and OPTIONS', () => {
    it('HEAD answers the headers of GET without a body', async () => {
      const res = await s.request('/books?select=id&limit=2', { method: 'HEAD', headers: { Prefer: 'count=exact' } })
      expect(res.status).toBe(206)
      expect(res.headers.get('content-range')).toBe('0-1/6')
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
      expect(await res.text()).toBe('')
    })

    it('OPTIONS lists the allowed methods of a table and of a view', async () => {
      let res = await s.request('/books', { method: 'OPTIONS' })
      expect(res.status).toBe(200)
      expect(res.headers.get('allow')).toBe('OPTIONS,GET,HEAD,POST,PUT,PATCH,DELETE')
      // An auto-updatable view keeps its base table's primary key, so PUT is allowed too.
      res = await s.request('/recent_books', { method: 'OPTIONS' })
      expect(res.headers.get('allow')).toBe('OPTIONS,GET,HEAD,POST,PUT,PATCH,DELETE')
      await s.sql('create view book_years as select distinct year from books; grant select on book_years to anonymous;')
      res = await s.request('/book_years', { method: 'OPTIONS' })
      expect(res.headers.get('allow')).toBe('OPTIONS,GET,HEAD')
    })
  })

  describe('max rows', () => {
    it('caps every level at the configured maximum', async () => {
      const capped = await startTestServer(backend, { maxRows: 2 })
      try {
        await capped.sql(fixture)
        const res = await capped.request('/authors?select=id,books(id)&order=id&books.order=id', { headers: { Prefer: 'count=exact' } })
        expect(res.status).toBe(206)
        expect(res.headers.get('content-range')).toBe('0-1/4')
        expect(await res.json()).toEqual([
          { id: 1, books: [{ id: 1 }, { id: 2 }] },
          { id: 2, books: [{ id: 3 }] },
        ])
      } finally {
        await capped.close()
      }
    })
  })
})
