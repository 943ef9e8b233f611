/**
 * Aggregate functions in select (DATA_API_AGGREGATES_ENABLED): count(), sum(), avg(), min(), max(),
 * casts before and after, aliases, automatic GROUP BY over the other selected columns and embeds,
 * aggregates inside embeds, and PGRST123 when disabled. Runs against the real server on each backend.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

const library = readFileSync(new URL('./fixtures/library.sql', import.meta.url), 'utf8')

describe.each(backends)('aggregates on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend, { aggregatesEnabled: true })
    await s.sql(library)
  })
  afterAll(async () => s?.close())

  const json = async (path: string) => {
    const res = await s.request(path)
    expect(res.status, await res.clone().text()).toBe(200)
    return res.json()
  }

  it('counts rows with a bare count()', async () => {
    expect(await json('/books?select=count()')).toEqual([{ count: 6 }])
    expect(await json('/books?select=count()&year=gt.1970')).toEqual([{ count: 3 }])
  })

  it('sums, averages and finds extremes, named after the function', async () => {
    expect(await json('/books?select=price.sum()')).toEqual([{ sum: 47.74 }])
    expect(await json('/books?select=year.min(),year.max()')).toEqual([{ min: 1961, max: 2000 }])
    expect(await json('/reviews?select=stars.avg()')).toEqual([{ avg: 4.25 }])
    expect(await json('/books?select=id.count()')).toEqual([{ count: 6 }])
  })

  it('casts the input and the result, and takes aliases', async () => {
    expect(await json('/books?select=price::int.sum()')).toEqual([{ sum: 48 }])
    expect(await json('/reviews?select=average:stars.avg()::int')).toEqual([{ average: 4 }])
    expect(await json('/books?select=n:count()::text')).toEqual([{ n: '6' }])
  })

  it('groups by the other selected columns', async () => {
    expect(await json('/books?select=author_id,count()&order=author_id')).toEqual([
      { author_id: 1, count: 3 },
      { author_id: 2, count: 1 },
      { author_id: 3, count: 2 },
    ])
    expect(await json('/books?select=writer:author_id,price.max()&order=author_id')).toEqual([
      { writer: 1, max: 9.5 },
      { writer: 2, max: 8.25 },
      { writer: 3, max: 12 },
    ])
    expect(await json('/reviews?select=book_id,stars.sum(),stars.avg()::numeric&book_id=eq.1')).toEqual([{ book_id: 1, sum: 9, avg: 4.5 }])
  })

  it('groups by a cast column and a JSON path', async () => {
    expect(await json('/books?select=year::text,count()&year=lt.1970&order=year')).toEqual([
      { year: '1961', count: 1 },
      { year: '1968', count: 1 },
      { year: '1969', count: 1 },
    ])
    expect(await json('/authors?select=awards:meta->awards,count()&meta=not.is.null')).toEqual(
      expect.arrayContaining([
        { awards: ['Hugo', 'Nebula'], count: 1 },
        { awards: [], count: 1 },
      ]),
    )
  })

  it('groups by an embedded to-one resource', async () => {
    const rows = (await json('/books?select=count(),authors(country)')) as unknown[]
    expect(rows).toHaveLength(2)
    expect(rows).toEqual(
      expect.arrayContaining([
        { count: 5, authors: { country: 'US' } },
        { count: 1, authors: { country: 'PL' } },
      ]),
    )
    expect(await json('/books?select=authors(name),year.max()&author_id=eq.1')).toEqual([{ authors: { name: 'Ursula K. Le Guin' }, max: 1974 }])
  })

  it('groups by the columns of a to-one spread and by every column of *', async () => {
    const rows = (await json('/books?select=...authors(country),count()')) as unknown[]
    expect(rows).toEqual(expect.arrayContaining([{ country: 'US', count: 5 }, { country: 'PL', count: 1 }]))
    expect(rows).toHaveLength(2)
    expect(await json('/genres?select=*,count()&order=id&id=lt.3')).toEqual([
      { id: 1, name: 'Fantasy', count: 1 },
      { id: 2, name: 'Science fiction', count: 1 },
    ])
  })

  it('aggregates inside an embedded to-many resource, per parent', async () => {
    expect(await json('/authors?select=name,books(count(),price.sum())&order=id')).toEqual([
      { name: 'Ursula K. Le Guin', books: [{ count: 3, sum: 17.49 }] },
      { name: 'Stanisław Lem', books: [{ count: 1, sum: 8.25 }] },
      { name: 'Octavia E. Butler', books: [{ count: 2, sum: 22 }] },
      { name: 'Nobody Yet', books: [{ count: 0, sum: null }] },
    ])
  })

  it('works over the result of a function', async () => {
    await s.sql('create function all_books() returns setof books language sql stable as $$ select * from books $$')
    expect(await json('/rpc/all_books?select=author_id,count()&order=author_id&author_id=lt.3')).toEqual([
      { author_id: 1, count: 3 },
      { author_id: 2, count: 1 },
    ])
  })
})

describe.each(backends)('aggregates disabled on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend)
    await s.sql(library)
  })
  afterAll(async () => s?.close())

  it.each(['/books?select=count()', '/books?select=price.sum()', '/authors?select=name,books(year.max())'])('answers 400 PGRST123 for %s', async (path) => {
    const res = await s.request(path)
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ code: 'PGRST123', details: null, hint: null, message: 'Use of aggregate functions is not allowed' })
  })
})
