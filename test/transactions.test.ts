/**
 * Transactions for every kind of request, RPC included (issue 11 item 1): Prefer: tx=commit|rollback
 * under db-tx-end's override settings, db-tx-end=rollback, max-affected with handling=strict, checks
 * that fail before anything persists, and function settings hoisted to the transaction.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

const SCHEMA = `
create table ledger (id serial primary key, note text not null);
create function add_note(note text) returns int language sql volatile as $$
  insert into ledger (note) values (note) returning id
$$;
create function add_notes(notes text[]) returns setof ledger language sql volatile as $$
  insert into ledger (note) select unnest(notes) returning *
$$;
create function wipe() returns setof ledger language sql volatile as $$
  delete from ledger returning *
$$;
create function patient() returns int language sql volatile
  set statement_timeout = '50ms' as $$ select pg_sleep(1); select 1 $$;
create function hurried() returns setof ledger language sql stable
  set statement_timeout = '4s' as $$ select * from ledger $$;
create function timeout(ledger) returns text language sql stable as $$ select current_setting('statement_timeout') $$;
grant usage on schema public to anonymous;
grant select, insert, update, delete on ledger to anonymous;
grant usage on all sequences in schema public to anonymous;
`

const pgrst124 = (rows: number) => ({
  code: 'PGRST124',
  details: `The query affects ${rows} rows`,
  hint: null,
  message: 'Query result exceeds max-affected preference constraint',
})

describe.each(backends)('transactions on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend, { txEnd: 'commit-allow-override' })
    await s.sql(SCHEMA)
  })
  afterAll(async () => s?.close())
  beforeEach(async () => {
    await s.app.db.exec('truncate ledger restart identity')
  })

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    s.request(path, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) })
  const notes = async () => (await s.app.db.query<{ note: string }>('select note from ledger order by id')).map((r) => r.note)

  it('rolls an RPC back with Prefer: tx=rollback and still answers', async () => {
    const res = await post('/rpc/add_note', { note: 'gone' }, { Prefer: 'tx=rollback' })
    expect(res.status).toBe(200)
    expect(res.headers.get('preference-applied')).toBe('tx=rollback')
    expect(await res.json()).toBe(1)
    expect(await notes()).toEqual([])
  })

  it('commits an RPC with Prefer: tx=commit and says so', async () => {
    const res = await post('/rpc/add_note', { note: 'kept' }, { Prefer: 'tx=commit' })
    expect(res.status).toBe(200)
    expect(res.headers.get('preference-applied')).toBe('tx=commit')
    expect(await notes()).toEqual(['kept'])
  })

  it('echoes tx on reads too', async () => {
    const res = await s.request('/ledger', { headers: { Prefer: 'tx=rollback' } })
    expect(res.status).toBe(200)
    expect(res.headers.get('preference-applied')).toBe('tx=rollback')
  })

  it('rolls a write back with tx=rollback and answers its representation', async () => {
    const res = await post('/ledger?select=note', { note: 'draft' }, { Prefer: 'tx=rollback, return=representation' })
    expect(res.status).toBe(201)
    expect(res.headers.get('preference-applied')).toBe('return=representation, tx=rollback')
    expect(await res.json()).toEqual([{ note: 'draft' }])
    expect(await notes()).toEqual([])
  })

  it('refuses an RPC past max-affected with handling=strict: 400 PGRST124, nothing kept', async () => {
    const res = await post('/rpc/add_notes', { notes: ['a', 'b', 'c'] }, { Prefer: 'handling=strict, max-affected=2' })
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(await res.json()).toEqual(pgrst124(3))
    expect(await notes()).toEqual([])
  })

  it('keeps an RPC within max-affected and says so', async () => {
    const res = await post('/rpc/add_notes?select=note', { notes: ['a', 'b'] }, { Prefer: 'handling=strict, max-affected=2' })
    expect(res.status).toBe(200)
    expect(res.headers.get('preference-applied')).toBe('handling=strict, max-affected=2')
    expect(await res.json()).toEqual([{ note: 'a' }, { note: 'b' }])
    expect(await notes()).toEqual(['a', 'b'])
  })

  it('counts the rows a deleting RPC returns against max-affected', async () => {
    await s.app.db.exec(`insert into ledger (note) values ('x'), ('y')`)
    const res = await post('/rpc/wipe', {}, { Prefer: 'handling=strict, max-affected=1' })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual(pgrst124(2))
    expect(await notes()).toEqual(['x', 'y'])
  })

  it('answers 400 PGRST128 for max-affected on a function that does not return a set', async () => {
    const res = await post('/rpc/add_note', { note: 'n' }, { Prefer: 'handling=strict, max-affected=1' })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({
      code: 'PGRST128',
      details: null,
      hint: null,
      message: 'Function must return SETOF or TABLE when max-affected preference is used with handling=strict',
    })
    expect(await notes()).toEqual([])
  })

  it('ignores max-affected without handling=strict', async () => {
    const res = await post('/rpc/add_notes', { notes: ['a', 'b'] }, { Prefer: 'max-affected=1' })
    expect(res.status).toBe(200)
    expect(res.headers.get('preference-applied')).toBeNull()
    expect(await notes()).toEqual(['a', 'b'])
  })

  it('rolls back an RPC whose result is not the single object asked for (406 PGRST116)', async () => {
    const res = await post('/rpc/add_notes', { notes: ['a', 'b'] }, { Accept: 'application/vnd.pgrst.object+json' })
    expect(res.status).toBe(406)
    expect(await res.json()).toEqual({
      code: 'PGRST116',
      details: 'The result contains 2 rows',
      hint: null,
      message: 'Cannot coerce the result to a single JSON object',
    })
    expect(await notes()).toEqual([])
  })

  it('rolls back a PATCH past max-affected', async () => {
    await s.app.db.exec(`insert into ledger (note) values ('x'), ('y')`)
    const res = await s.request('/ledger', {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json', Prefer: 'handling=strict, max-affected=1' },
      body: JSON.stringify({ note: 'z' }),
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual(pgrst124(2))
    expect(await notes()).toEqual(['x', 'y'])
  })

  it("hoists a function's statement_timeout to the transaction: the rest of the statement sees it", async () => {
    await s.app.db.exec(`insert into ledger (note) values ('x')`)
    const res = await s.request('/rpc/hurried?select=note,timeout')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual([{ note: 'x', timeout: '4s' }])
  })

  // PGlite (WebAssembly) has no timers, so statement_timeout never fires there
  it.runIf(backend === 'postgres')("applies a function's statement_timeout to the whole call", async () => {
    const res = await post('/rpc/patient', {})
    expect(res.status).toBe(500)
    expect(await res.json()).toEqual({ code: '57014', details: null, hint: null, message: 'canceling statement due to statement timeout' })
  })
})

describe.each(backends)('db-tx-end=rollback on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend, { txEnd: 'rollback' })
    await s.sql(SCHEMA)
  })
  afterAll(async () => s?.close())

  const notes = async () => (await s.app.db.query<{ note: string }>('select note from ledger order by id')).map((r) => r.note)

  it('rolls back every write and RPC, whatever Prefer says, without echoing tx', async () => {
    const insert = await s.request('/ledger', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Prefer: 'tx=commit' },
      body: JSON.stringify({ note: 'w' }),
    })
    expect(insert.status).toBe(201)
    expect(insert.headers.get('preference-applied')).toBeNull()
    const call = await s.request('/rpc/add_note', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"note":"r"}' })
    expect(call.status).toBe(200)
    expect(await notes()).toEqual([])
  })
})
