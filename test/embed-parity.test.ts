/**
 * Embedding as PostgREST v14 does it (issue 11 item 4): hints by constraint and column name, the
 * same relation embedded twice, empty embeds and spreads, aggregates in spreads, embeds through
 * views, !inner and null filters, ordering by an embedded column, and PGRST200/201 word for word.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

const library = readFileSync(new URL('./fixtures/library.sql', import.meta.url), 'utf8')

describe.each(backends)('embedding parity on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend, { aggregatesEnabled: true })
    await s.sql(library)
  })
  afterAll(async () => s?.close())

  const get = async (path: string) => {
    const res = await s.request(path)
    return { status: res.status, type: res.headers.get('content-type'), body: await res.json() }
  }
  const ok = (body: unknown) => ({ status: 200, type: 'application/json; charset=utf-8', body })
  const failure = (status: number, body: unknown) => ({ status, type: 'application/json; charset=utf-8', body })

  it('follows hints by foreign-key constraint name and by column name', async () => {
    expect(await get('/messages?select=body,sender:people!messages_sender_fkey(name),receiver:people!receiver_id(name)&order=id')).toEqual(
      ok([
        { body: 'Hi Bob', sender: { name: 'Alice' }, receiver: { name: 'Bob' } },
        { body: 'Hi Alice', sender: { name: 'Bob' }, receiver: { name: 'Alice' } },
      ]),
    )
  })

  it('refuses the same relation twice without aliases as PostgREST does (42712), never two equal keys', async () => {
    expect(await get('/messages?select=body,people!sender_id(name),people!receiver_id(name)')).toEqual(
      failure(400, { code: '42712', details: null, hint: null, message: 'table name "messages_people_1" specified more than once' }),
    )
    expect(await get('/books?select=title,...authors(name),...authors(country)')).toEqual(
      failure(400, { code: '42712', details: null, hint: null, message: 'table name "books_authors_1" specified more than once' }),
    )
  })

  it('joins an empty embed or spread without output: for !inner and filters', async () => {
    expect(await get('/books?select=title,authors!inner()&authors.country=eq.PL')).toEqual(ok([{ title: 'Solaris' }]))
    expect(await get('/books?select=title,...authors!inner()&authors.country=eq.PL')).toEqual(ok([{ title: 'Solaris' }]))
    expect(await get('/books?select=title,authors()&id=eq.3')).toEqual(ok([{ title: 'Solaris' }]))
  })

  it('hoists aggregates of a to-one spread to the parent, next to count()', async () => {
    expect(await get('/books?select=...authors(country,born.max()),count()&order=authors(country)')).toEqual(
      ok([
        { count: 1, country: 'PL', max: '1921-09-12' },
        { count: 5, country: 'US', max: '1947-06-22' },
      ]),
    )
  })

  it('answers 400 PGRST127 for aggregates in a to-many spread', async () => {
    expect(await get('/authors?select=name,...books(count())')).toEqual(
      failure(400, {
        code: 'PGRST127',
        details: 'Aggregates are not implemented for one-to-many or many-to-many spreads.',
        hint: null,
        message: 'Feature not implemented',
      }),
    )
  })

  it('embeds through a view', async () => {
    expect(await get('/recent_books?select=title,authors(name)')).toEqual(ok([{ title: 'Parable of the Sower', authors: { name: 'Octavia E. Butler' } }]))
  })

  it('keeps only parents with a match for !inner, and filters parents by is.null on an embed', async () => {
    expect(await get('/authors?select=name,books!inner(title)&books.year=gt.1975&order=id')).toEqual(
      ok([{ name: 'Octavia E. Butler', books: [{ title: 'Kindred' }, { title: 'Parable of the Sower' }] }]),
    )
    expect(await get('/authors?select=name,author_profiles(bio)&author_profiles=is.null&order=id')).toEqual(
      ok([
        { name: 'Octavia E. Butler', author_profiles: null },
        { name: 'Nobody Yet', author_profiles: null },
      ]),
    )
  })

  it('orders by an embedded to-one column', async () => {
    expect(await get('/books?select=title,authors(name)&order=authors(name).desc,id&limit=2')).toEqual(
      ok([
        { title: 'A Wizard of Earthsea', authors: { name: 'Ursula K. Le Guin' } },
        { title: 'The Left Hand of Darkness', authors: { name: 'Ursula K. Le Guin' } },
      ]),
    )
  })

  it('words PGRST200 as PostgREST', async () => {
    expect(await get('/books?select=title,people!nope(name)')).toEqual(
      failure(400, {
        code: 'PGRST200',
        details: "Searched for a foreign key relationship between 'books' and 'people' using the hint 'nope' in the schema 'public', but no matches were found.",
        hint: null,
        message: "Could not find a relationship between 'books' and 'people' in the schema cache",
      }),
    )
  })

  it('words PGRST201 as PostgREST', async () => {
    expect(await get('/messages?select=body,people(name)')).toEqual(
      failure(300, {
        code: 'PGRST201',
        details: [
          { cardinality: 'many-to-one', embedding: 'messages with people', relationship: 'messages_receiver_fkey using messages(receiver_id) and people(id)' },
          { cardinality: 'many-to-one', embedding: 'messages with people', relationship: 'messages_sender_fkey using messages(sender_id) and people(id)' },
        ],
        hint: "Try changing 'people' to one of the following: 'people!messages_receiver_fkey', 'people!messages_sender_fkey'. Find the desired relationship in the 'details' key.",
        message: "Could not embed because more than one relationship was found for 'messages' and 'people'",
      }),
    )
  })
})
