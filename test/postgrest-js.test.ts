/**
 * The official client, @supabase/postgrest-js, driving the server as applications do: reads with
 * filters, order and ranges, singular and CSV answers, and RPC in its POST, GET and HEAD forms.
 * and the CRUD calls (insert, upsert, update, delete). Runs against the real server on each backend.
 */
import { readFileSync } from 'node:fs'
import { PostgrestClient } from '@supabase/postgrest-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

const library = readFileSync(new URL('./fixtures/library.sql', import.meta.url), 'utf8')
const functions = readFileSync(new URL('./fixtures/rpc.sql', import.meta.url), 'utf8')

describe.each(backends)('postgrest-js on %s', (backend) => {
  let s: TestServer
  let client: PostgrestClient
  beforeAll(async () => {
    s = await startTestServer(backend, { txEnd: 'commit-allow-override' })
    await s.sql(library)
    await s.sql(functions)
    client = new PostgrestClient(s.base)
  })
  afterAll(async () => s?.close())

  describe('reads', () => {
    it('selects with eq, order and range', async () => {
      const { data, error, status, count } = await client
        .from('books')
        .select('id,title', { count: 'exact' })
        .eq('author_id', 1)
        .order('id', { ascending: false })
        .range(0, 1)
      expect(error).toBeNull()
      expect(status).toBe(206)
      expect(count).toBe(3)
      expect(data).toEqual([
        { id: 5, title: 'The Dispossessed' },
        { id: 2, title: 'The Left Hand of Darkness' },
      ])
    })

    it('embeds and filters with in, gt and is', async () => {
      const { data, error } = await client
        .from('books')
        .select('title,authors(name)')
        .in('id', [1, 3, 5])
        .gt('year', 1962)
        .not('price', 'is', null)
        .order('id')
      expect(error).toBeNull()
      expect(data).toEqual([{ title: 'A Wizard of Earthsea', authors: { name: 'Ursula K. Le Guin' } }])
    })

    it('answers one object with single(), and an error when there are several', async () => {
      const one = await client.from('genres').select('name').eq('id', 2).single()
      expect(one.error).toBeNull()
      expect(one.data).toEqual({ name: 'Science fiction' })
      const many = await client.from('genres').select('name').single()
      expect(many.data).toBeNull()
      expect(many.error).toMatchObject({ code: 'PGRST116', details: 'The result contains 3 rows' })
      expect(many.status).toBe(406)
    })

    it('answers null or one object with maybeSingle()', async () => {
      const none = await client.from('genres').select('name').eq('id', 99).maybeSingle()
      expect(none.error).toBeNull()
      expect(none.data).toBeNull()
      const one = await client.from('genres').select('name').eq('id', 1).maybeSingle()
      expect(one.data).toEqual({ name: 'Fantasy' })
    })

    it('answers CSV with csv()', async () => {
      const { data, error } = await client.from('genres').select('id,name').order('id').csv()
      expect(error).toBeNull()
      expect(data).toBe('id,name\n1,Fantasy\n2,"Science fiction"\n3,Historical')
    })

    it('disambiguates embeds with constraint and column hints', async () => {
      const { data, error } = await client
        .from('messages')
        .select('body, sender:people!messages_sender_fkey(name), receiver:people!receiver_id(name)')
        .order('id')
      expect(error).toBeNull()
      expect(data).toEqual([
        { body: 'Hi Bob', sender: { name: 'Alice' }, receiver: { name: 'Bob' } },
        { body: 'Hi Alice', sender: { name: 'Bob' }, receiver: { name: 'Alice' } },
      ])
      const twice = await client.from('messages').select('people!sender_id(name), people!receiver_id(name)')
      expect(twice.status).toBe(400)
      expect(twice.error).toMatchObject({ code: '42712', message: 'table name "messages_people_1" specified more than once' })
    })

    it('reports a missing table as the PostgREST error', async () => {
      const { data, error, status } = await client.from('bookz').select()
      expect(data).toBeNull()
      expect(status).toBe(404)
      expect(error).toMatchObject({ code: 'PGRST205', hint: "Perhaps you meant the table 'public.books'" })
    })
  })

  describe('rpc', () => {
    it('calls with arguments in a POST body', async () => {
      const { data, error, status } = await client.rpc('add_them', { a: 20, b: 22 })
      expect(error).toBeNull()
      expect(status).toBe(200)
      expect(data).toBe(42)
    })

    it('selects and filters the rows a function returns', async () => {
      const { data, error } = await client.rpc('books_by', { author: 1 }).select('id,title').eq('id', 2)
      expect(error).toBeNull()
      expect(data).toEqual([{ id: 2, title: 'The Left Hand of Darkness' }])
      const ordered = await client.rpc('books_by', { author: 3 }).select('title').order('year', { ascending: false }).limit(1).single()
      expect(ordered.data).toEqual({ title: 'Parable of the Sower' })
    })

    it('calls with GET and query-string arguments', async () => {
      const { data, error } = await client.rpc('greet', { name: 'GET' }, { get: true })
      expect(error).toBeNull()
      expect(data).toBe('Hello, GET!')
    })

    it('counts with HEAD and no body', async () => {
      const { data, error, count, status } = await client.rpc('books_by', { author: 1 }, { head: true, count: 'exact' })
      expect(error).toBeNull()
      expect(status).toBe(200)
      expect(data).toBeNull()
      expect(count).toBe(3)
    })

    it('reports an unknown function as PGRST202 with its hint', async () => {
      const { error, status } = await client.rpc('add_them', { a: 1 })
      expect(status).toBe(404)
      expect(error).toMatchObject({ code: 'PGRST202', hint: 'Perhaps you meant to call the function public.add_them(a, b)' })
    })

    it('gets 204 and no data from a void function', async () => {
      const { data, error, status } = await client.rpc('do_nothing')
      expect(error).toBeNull()
      expect(status).toBe(204)
      expect(data).toBeNull()
    })
  })

  describe('writes', () => {
    beforeAll(async () => {
      await s.sql(`create table todos (id int generated by default as identity primary key, task text not null, done boolean not null default false);
        grant select, insert, update, delete on todos to anonymous; grant usage on all sequences in schema public to anonymous;`)
    })

    it('inserts, upserts, updates and deletes, returning rows on request', async () => {
      const inserted = await client.from('todos').insert([{ task: 'write' }, { task: 'test' }]).select()
      expect(inserted.error).toBeNull()
      expect(inserted.status).toBe(201)
      expect(inserted.data).toEqual([
        { id: 1, task: 'write', done: false },
        { id: 2, task: 'test', done: false },
      ])

      const minimal = await client.from('todos').insert({ task: 'ship' })
      expect(minimal).toMatchObject({ error: null, data: null, status: 201 })

      const upserted = await client.from('todos').upsert({ id: 2, task: 'test more', done: true }).select('id,task,done').single()
      expect(upserted.error).toBeNull()
      expect(upserted.status).toBe(200)
      expect(upserted.data).toEqual({ id: 2, task: 'test more', done: true })

      const updated = await client.from('todos').update({ done: true }).eq('id', 1).select('id,done')
      expect(updated).toMatchObject({ error: null, status: 200, data: [{ id: 1, done: true }] })

      const counted = await client.from('todos').update({ task: 'again' }, { count: 'exact' }).eq('done', true)
      expect(counted).toMatchObject({ error: null, status: 204, count: 2 })

      const deleted = await client.from('todos').delete().eq('id', 3).select('task')
      expect(deleted).toMatchObject({ error: null, status: 200, data: [{ task: 'ship' }] })

      const left = await client.from('todos').select('id,task,done').order('id')
      expect(left.data).toEqual([
        { id: 1, task: 'again', done: true },
        { id: 2, task: 'again', done: true },
      ])
    })

    it('upserts a row by its conflict column alone and gets it back', async () => {
      await s.sql(`create table labels (id int generated by default as identity primary key, name text unique not null, color text);
        insert into labels (name, color) values ('urgent', 'red');
        grant select, insert, update on labels to anonymous; grant usage on all sequences in schema public to anonymous;`)
      const { data, error, status } = await client.from('labels').upsert({ name: 'urgent' }, { onConflict: 'name' }).select('name,color')
      expect(error).toBeNull()
      expect(status).toBe(200)
      expect(data).toEqual([{ name: 'urgent', color: 'red' }])
      const ignored = await client.from('labels').upsert([{ name: 'urgent' }, { name: 'later' }], { onConflict: 'name', ignoreDuplicates: true }).select('name')
      expect(ignored).toMatchObject({ error: null, status: 201, data: [{ name: 'later' }] })
    })

    it('rolls an RPC back with rollback()', async () => {
      await s.sql(`create table visits (id serial primary key, at text);
        create function visit(at text) returns int language sql as $$ insert into visits (at) values (at) returning id $$;
        grant select, insert on visits to anonymous; grant usage on all sequences in schema public to anonymous;`)
      const rolled = await client.rpc('visit', { at: 'home' }).rollback()
      expect(rolled).toMatchObject({ error: null, status: 200, data: 1 })
      const kept = await client.from('visits').select('at')
      expect(kept.data).toEqual([])
    })

    it('reports constraint violations as PostgREST errors', async () => {
      const { error, status } = await client.from('todos').insert({ id: 1, task: 'dup' })
      expect(status).toBe(409)
      expect(error).toMatchObject({ code: '23505' })
      const missing = await client.from('todos').insert({ done: true })
      expect(missing.status).toBe(400)
      expect(missing.error).toMatchObject({ code: '23502' })
    })
  })
})
