/**
 * Resource embedding: many-to-one, one-to-many, one-to-one, many-to-many, self references, hints,
 * !inner, spreads, and filters/order/limit inside embeds.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

const fixture = readFileSync(new URL('./fixtures/library.sql', import.meta.url), 'utf8')

describe.each(backends)('embedding on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend)
    await s.sql(fixture)
  })
  afterAll(async () => s?.close())

  const json = async (path: string) => {
    const res = await s.request(path)
    expect(res.status, await res.clone().text()).toBe(200)
    return res.json()
  }
  const error = async (path: string) => {
    const res = await s.request(path)
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }

  it('embeds a many-to-one parent as an object', async () => {
    expect(await json('/books?select=id,authors(name)&id=in.(1,4)&order=id')).toEqual([
      { id: 1, authors: { name: 'Ursula K. Le Guin' } },
      { id: 4, authors: { name: 'Octavia E. Butler' } },
    ])
  })

  it('embeds one-to-many children as an array, [] when none', async () => {
    expect(await json('/authors?select=name,books(title)&id=in.(2,4)&order=id')).toEqual([
      { name: 'Stanisław Lem', books: [{ title: 'Solaris' }] },
      { name: 'Nobody Yet', books: [] },
    ])
  })

  it('embeds one-to-one in both directions as objects', async () => {
    expect(await json('/authors?select=id,author_profiles(bio)&id=in.(1,3)&order=id')).toEqual([
      { id: 1, author_profiles: { bio: 'Wrote Earthsea' } },
      { id: 3, author_profiles: null },
    ])
    expect(await json('/author_profiles?select=bio,authors(name)&author_id=eq.2')).toEqual([
      { bio: 'Wrote Solaris', authors: { name: 'Stanisław Lem' } },
    ])
  })

  it('embeds many-to-many through the junction table', async () => {
    expect(await json('/books?select=id,genres(name)&id=eq.4&genres.order=id')).toEqual([
      { id: 4, genres: [{ name: 'Science fiction' }, { name: 'Historical' }] },
    ])
    expect(await json('/genres?select=name,books(id)&id=eq.3')).toEqual([{ name: 'Historical', books: [{ id: 4 }] }])
  })

  it('nests embeds and aliases them', async () => {
    expect(await json('/authors?select=name,works:books(title,reviews(stars))&id=eq.2')).toEqual([
      { name: 'Stanisław Lem', works: [{ title: 'Solaris', reviews: [{ stars: 5 }] }] },
    ])
  })

  it('embeds through a view, whose foreign keys come from its base table', async () => {
    expect(await json('/recent_books?select=title,authors(name)')).toEqual([
      { title: 'Parable of the Sower', authors: { name: 'Octavia E. Butler' } },
    ])
  })

  it('resolves self references: the table name means children, the FK column the parent', async () => {
    expect(await json('/employees?select=name,employees(name)&id=eq.1')).toEqual([
      { name: 'Ada', employees: [{ name: 'Grace' }, { name: 'Linus' }] },
    ])
    expect(await json('/employees?select=name,boss:manager_id(name)&id=eq.4')).toEqual([{ name: 'Ken', boss: { name: 'Grace' } }])
  })

  it('answers 300 PGRST201 for an ambiguous embed, and resolves it with a hint', async () => {
    const { status, body } = await error('/messages?select=body,people(name)')
    expect(status).toBe(300)
    expect(body).toEqual({
      code: 'PGRST201',
      details: [
        {
          cardinality: 'many-to-one',
          embedding: 'messages with people',
          relationship: 'messages_receiver_fkey using messages(receiver_id) and people(id)',
        },
        {
          cardinality: 'many-to-one',
          embedding: 'messages with people',
          relationship: 'messages_sender_fkey using messages(sender_id) and people(id)',
        },
      ],
      hint: "Try changing 'people' to one of the following: 'people!messages_receiver_fkey', 'people!messages_sender_fkey'. Find the desired relationship in the 'details' key.",
      message: "Could not embed because more than one relationship was found for 'messages' and 'people'",
    })
    expect(await json('/messages?select=body,from:people!messages_sender_fkey(name),to:people!receiver_id(name)&id=eq.1')).toEqual([
      { body: 'Hi Bob', from: { name: 'Alice' }, to: { name: 'Bob' } },
    ])
  })

  it('answers 400 PGRST200 when no relationship exists', async () => {
    const { status, body } = await error('/genres?select=name,reviews(id)')
    expect(status).toBe(400)
    expect(body.code).toBe('PGRST200')
    expect(body.message).toBe("Could not find a relationship between 'genres' and 'reviews' in the schema cache")
    expect(body.details).toBe(
      "Searched for a foreign key relationship between 'genres' and 'reviews' in the schema 'public', but no matches were found.",
    )
  })

  it('drops parents without a match for !inner, keeps them for !left', async () => {
    expect(await json('/authors?select=id,books!inner(id)&books.year=gt.1975&order=id')).toEqual([{ id: 3, books: [{ id: 4 }, { id: 6 }] }])
    expect(await json('/authors?select=id,books!left(id)&books.year=gt.1975&order=id')).toEqual([
      { id: 1, books: [] },
      { id: 2, books: [] },
      { id: 3, books: [{ id: 4 }, { id: 6 }] },
      { id: 4, books: [] },
    ])
    expect(await json('/books?select=id,authors!inner(country)&authors.country=eq.PL')).toEqual([{ id: 3, authors: { country: 'PL' } }])
  })

  it('counts only parents that survive an !inner join', async () => {
    const res = await s.request('/authors?select=id,books!inner(id)&books.year=gt.1975', { headers: { Prefer: 'count=exact' } })
    expect(res.headers.get('content-range')).toBe('0-0/1')
  })

  it('filters parents with rel=not.is.null and rel=is.null, and joins empty embeds', async () => {
    expect(await json('/authors?select=id,books()&books.year=lt.1965&books=not.is.null')).toEqual([{ id: 2 }])
    expect(await json('/authors?select=id,books(id)&books=is.null')).toEqual([{ id: 4, books: [] }])
    expect(await json('/authors?select=id,author_profiles(bio)&author_profiles=is.null&order=id')).toEqual([
      { id: 3, author_profiles: null },
      { id: 4, author_profiles: null },
    ])
  })

  it('applies order, limit, offset and or inside an embed', async () => {
    expect(await json('/authors?select=id,books(id)&id=eq.1&books.order=year.desc&books.limit=2')).toEqual([{ id: 1, books: [{ id: 5 }, { id: 2 }] }])
    expect(await json('/authors?select=id,books(id)&id=eq.1&books.order=id&books.offset=1')).toEqual([{ id: 1, books: [{ id: 2 }, { id: 5 }] }])
    expect(await json('/authors?select=id,books(id)&id=eq.1&books.or=(id.eq.1,id.eq.5)&books.order=id')).toEqual([{ id: 1, books: [{ id: 1 }, { id: 5 }] }])
    expect(await json('/authors?select=id,works:books(id,reviews(stars))&id=eq.1&works.order=id&works.reviews.stars=eq.5&works.limit=1')).toEqual([
      { id: 1, works: [{ id: 1, reviews: [{ stars: 5 }] }] },
    ])
  })

  it('orders by a to-one embed column', async () => {
    expect(await json('/books?select=id,authors(name)&order=authors(name).desc,id&id=in.(1,3,4)')).toEqual([
      { id: 1, authors: { name: 'Ursula K. Le Guin' } },
      { id: 3, authors: { name: 'Stanisław Lem' } },
      { id: 4, authors: { name: 'Octavia E. Butler' } },
    ])
  })

  it('answers 400 PGRST118 for a related order on a to-many embed', async () => {
    const { status, body } = await error('/authors?select=id,books(id)&order=books(id)')
    expect(status).toBe(400)
    expect(body).toEqual({
      code: 'PGRST118',
      details: "'authors' and 'books' do not form a many-to-one or one-to-one relationship",
      hint: null,
      message: "A related order on 'books' is not possible",
    })
  })

  it('answers 400 PGRST108 for filters on a resource that is not embedded', async () => {
    const { status, body } = await error('/authors?select=id&books.id=eq.1')
    expect(status).toBe(400)
    expect(body).toEqual({
      code: 'PGRST108',
      details: null,
      hint: "Verify that 'books' is included in the 'select' query parameter.",
      message: "'books' is not an embedded resource in this request",
    })
  })

  it('spreads a to-one embed into its parent', async () => {
    expect(await json('/books?select=title,...authors(author:name,country)&id=eq.3')).toEqual([
      { title: 'Solaris', author: 'Stanisław Lem', country: 'PL' },
    ])
  })

  it('spreads a to-many embed into arrays of its columns', async () => {
    expect(await json('/authors?select=name,...books(title)&id=eq.1&books.order=id')).toEqual([
      { name: 'Ursula K. Le Guin', title: ['A Wizard of Earthsea', 'The Left Hand of Darkness', 'The Dispossessed'] },
    ])
  })
})
