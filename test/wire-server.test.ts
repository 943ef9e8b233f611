/**
 * The embedded database on the wire protocol, shared with the running API: Debian's psql and
 * pg_dump against it, node-postgres transactions that the API's requests never interleave with, the
 * bound on a client idling in a transaction, and session settings that stay with their client.
 * Embedded only: with DATABASE_URL the tools talk to PostgreSQL itself.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWireServer, type WireServer } from '../src/db/wire-server.js'
import { eventually } from './support/eventually.js'
import { startTestServer, type TestServer } from './support/test-server.js'

const run = promisify(execFile)

const SCHEMA = `
create table items (id int primary key, name text not null);
insert into items values (1, 'first');
grant select, insert, update, delete on items to authenticated;
`

/** Settles a promise into a flag, to tell whether it has settled yet. */
function track<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let settled = false
  const tracked = promise.finally(() => {
    settled = true
  })
  return { promise: tracked, settled: () => settled }
}

describe('wire server on the embedded database', () => {
  let s: TestServer
  let wire: WireServer
  let token: string
  const clients: pg.Client[] = []

  async function connect(url = wire.url): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: url })
    client.on('error', () => {})
    await client.connect()
    clients.push(client)
    return client
  }

  const names = async (): Promise<string[]> => {
    const res = await s.request('/items?select=name&order=id', { token })
    expect(res.status).toBe(200)
    return ((await res.json()) as { name: string }[]).map((r) => r.name)
  }

  beforeAll(async () => {
    s = await startTestServer('pglite')
    await s.sql(SCHEMA)
    token = await s.token({ sub: 'wire' })
    wire = await startWireServer(s.app.db, { port: 0, idleInTransactionMs: 1000 })
  })
  afterAll(async () => {
    for (const client of clients) await client.end().catch(() => undefined)
    await wire?.close()
    await s?.close()
  })

  it('gives a connection string on the loopback interface', () => {
    expect(wire.url).toBe(`postgresql://postgres@127.0.0.1:${wire.port}/postgres?sslmode=disable`)
  })

  it('serves psql: DDL and rows the API then serves, and catalog commands', async () => {
    const { stdout } = await run('psql', [wire.url, '-v', 'ON_ERROR_STOP=1', '-X', '-q', '-A', '-t', '-c', `
      create table notes (id int primary key, body text);
      insert into notes values (1, 'from psql');
      grant select on notes to authenticated;
      select body from notes;`])
    expect(stdout.trim()).toBe('from psql')
    // the DDL event trigger's NOTIFY reaches the API: no reload by hand
    await eventually(async () => (await s.request('/notes', { token })).status === 200)
    expect(await (await s.request('/notes?select=body', { token })).json()).toEqual([{ body: 'from psql' }])
    const described = await run('psql', [wire.url, '-X', '-c', '\\d notes'])
    expect(described.stdout).toContain('Table "public.notes"')
    expect(described.stdout).toContain('body   | text')
  })

  it('serves pg_dump when it is new enough for PGlite, and says clearly when it is not', async () => {
    const { stdout: version } = await run('pg_dump', ['--version'])
    const major = Number(/(\d+)\.\d+/.exec(version)![1])
    const [{ server_version_num }] = (await s.app.db.query<{ server_version_num: string }>('show server_version_num')) as [{ server_version_num: string }]
    const serverMajor = Math.floor(Number(server_version_num) / 10000)
    if (major >= serverMajor) {
      const { stdout } = await run('pg_dump', [wire.url, '--schema-only', '--table=items'])
      expect(stdout).toContain('CREATE TABLE public.items')
    } else {
      // Debian 12 ships pg_dump 15; PGlite 0.5 is PostgreSQL 18, and pg_dump refuses newer servers
      const failed = await run('pg_dump', [wire.url, '--schema-only']).then(
        () => '',
        (err: { stderr: string }) => err.stderr,
      )
      expect(failed).toContain('aborting because of server version mismatch')
      expect(failed).toContain(`server version: ${serverMajor}.`)
    }
  })

  it('never interleaves API requests with a wire transaction', async () => {
    const client = await connect()
    await client.query('begin')
    await client.query(`insert into items values (2, 'uncommitted')`)
    const read = track(names())
    const write = track(s.request('/items', { method: 'POST', token, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id: 3, name: 'from the API' }) }))
    // a round trip inside the transaction: the API requests are still waiting for it to end
    expect((await client.query('select count(*)::int as n from items')).rows).toEqual([{ n: 2 }])
    expect(read.settled()).toBe(false)
    expect(write.settled()).toBe(false)
    await client.query('rollback')
    // the read ran after the rollback: it never saw the uncommitted row
    expect(await read.promise).toEqual(['first'])
    expect((await write.promise).status).toBe(201)
    expect(await names()).toEqual(['first', 'from the API'])
    await s.app.db.query('delete from items where id = 3')
  })

  it('keeps two wire transactions apart', async () => {
    const a = await connect()
    const b = await connect()
    await a.query('begin')
    await a.query(`insert into items values (4, 'a')`)
    const other = track(b.query(`select count(*)::int as n from items`))
    await a.query(`insert into items values (5, 'a again')`)
    expect(other.settled()).toBe(false)
    await a.query('commit')
    expect((await other.promise).rows).toEqual([{ n: 3 }])
    await a.query('delete from items where id in (4, 5)')
  })

  it('disconnects a client idle in a transaction, rolls it back and lets the API go on', async () => {
    const client = await connect()
    const ended = new Promise<void>((resolve) => client.once('end', () => resolve()))
    await client.query('begin')
    await client.query(`insert into items values (6, 'abandoned')`)
    // waits for the instance until the bound disconnects the idle client
    expect(await names()).toEqual(['first'])
    await ended
    await expect(client.query('select 1')).rejects.toThrow()
  })

  it('answers with the FATAL error PostgreSQL sends for an idle-in-transaction timeout', async () => {
    const client = await connect()
    const error = new Promise<Error & { code?: string }>((resolve) => client.once('error', resolve))
    await client.query('begin')
    const err = await error
    expect(err.code).toBe('25P03')
    expect(err.message).toBe('terminating connection due to idle-in-transaction timeout')
  })

  it('keeps each client’s session settings to itself', async () => {
    const client = await connect()
    await client.query(`set search_path = nowhere`)
    await client.query(`set role anonymous`)
    await client.query(`set statement_timeout = '7s'`)
    // the API and its own queries run as before
    expect(await names()).toEqual(['first'])
    expect(await s.app.db.query(`select current_user as "user", current_setting('search_path') as path, current_setting('statement_timeout') as timeout`)).toEqual([
      { user: 'postgres', path: 'public', timeout: '0' },
    ])
    // and the client finds its settings again
    expect((await client.query(`select current_user as "user", current_setting('search_path') as path, current_setting('statement_timeout') as timeout`)).rows).toEqual([
      { user: 'anonymous', path: 'nowhere', timeout: '7s' },
    ])
    const other = await connect()
    expect((await other.query(`select current_user as "user", current_setting('search_path') as path`)).rows).toEqual([{ user: 'postgres', path: 'public' }])
  })

  it('refuses connections beyond the limit with 53300', async () => {
    const small = await startWireServer(s.app.db, { port: 0, maxConnections: 1 })
    try {
      const first = await connect(small.url)
      await expect(connect(small.url)).rejects.toMatchObject({ message: 'sorry, too many clients already' })
      await first.end()
    } finally {
      await small.close()
    }
  })

  it('listens on loopback addresses only, and only for the embedded database', async () => {
    await expect(startWireServer(s.app.db, { host: '0.0.0.0', port: 0 })).rejects.toThrow(
      'the wire server listens on loopback addresses only (it has no authentication), not 0.0.0.0',
    )
    const postgresLike = { ...s.app.db, kind: 'postgres' as const, withPglite: undefined }
    await expect(startWireServer(postgresLike, { port: 0 })).rejects.toThrow('the wire server serves the embedded database; PostgreSQL has its own')
  })
})
