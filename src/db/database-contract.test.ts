/**
 * The Database contract, run against both backends: PGlite always, PostgreSQL when DATABASE_URL is
 * set (a fresh database for this file). Backend-specific behaviour is tested beside each backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTempPostgres, databaseUrl, type TempPostgres } from '../../test/support/temp-postgres.js'
import { bootstrapDatabase } from './bootstrap.js'
import type { Batch, Database, ResultRow } from './database.js'
import { createPgliteDatabase } from './pglite-database.js'
import { createPostgresDatabase } from './postgres-database.js'

type Backend = Readonly<{
  label: string
  setUp: () => Promise<void>
  /** a Database with this many connections (PGlite: always its one session) */
  open: (poolSize: number) => Promise<Database>
  tearDown: () => Promise<void>
}>

function pgliteBackend(): Backend {
  let db: Database | undefined
  return {
    label: 'pglite',
    setUp: async () => {
      db = await createPgliteDatabase({})
    },
    open: async () => db as Database,
    tearDown: async () => db?.close(),
  }
}

function postgresBackend(): Backend {
  let temp: TempPostgres | undefined
  const opened = new Map<number, Promise<Database>>()
  return {
    label: 'postgres',
    setUp: async () => {
      temp = await createTempPostgres('dapi_db_contract')
    },
    open: (poolSize) => {
      let db = opened.get(poolSize)
      if (!db) {
        db = createPostgresDatabase({ url: (temp as TempPostgres).url, poolSize })
        opened.set(poolSize, db)
      }
      return db
    },
    tearDown: async () => {
      for (const db of opened.values()) await (await db).close()
      await temp?.drop()
    },
  }
}

const backends: Backend[] = databaseUrl ? [pgliteBackend(), postgresBackend()] : [pgliteBackend()]

/** The request context the way the env statement sets it: transaction-local GUCs. */
function env(role: string, claims: string): Batch['env'] {
  return {
    text: "select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)",
    values: [role, claims],
  }
}

const asAdmin = env('postgres', '')

function batch(text: string, values: readonly unknown[] = [], extra: Partial<Batch> = {}): Batch {
  return { env: asAdmin, main: { text, values }, readOnly: false, ...extra }
}

async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise
  } catch (error) {
    return error as Record<string, unknown>
  }
  throw new Error('expected a rejection')
}

async function eventually(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe.each(backends)('Database contract on $label', (backend) => {
  let db: Database
  let single: Database

  beforeAll(async () => {
    await backend.setUp()
    db = await backend.open(4)
    single = await backend.open(1)
    await bootstrapDatabase(db)
    await db.exec(`
      create table ledger (id int primary key, note text);
      create table typed (id int, doc jsonb, flag bool);
      insert into typed values (1, '{"k": 1}', true), (2, '{"k": 2}', false), (5, null, null);
    `)
  })

  afterAll(async () => {
    await backend.tearDown()
  })

  it('runs env and main in one transaction: the role and claims hold for main, then vanish', async () => {
    const rows = await single.run({
      env: env('authenticated', '{"sub":"u1"}'),
      main: {
        text: 'select current_user::text as u, auth.user_id() as sub, pg_backend_pid()::text as pid',
        values: [],
      },
      readOnly: true,
    })
    expect(rows).toEqual([{ u: 'authenticated', sub: 'u1', pid: expect.any(String) }])

    // same connection (pool of one), plain statement: back to the connecting role, no claims
    const [after] = await single.query<{ u: string; claims: string | null; pid: number }>(
      "select current_user::text as u, current_setting('request.jwt.claims', true) as claims, pg_backend_pid() as pid",
    )
    expect(after?.u).toBe('postgres')
    expect(after?.claims ?? '').toBe('')
    expect(String(after?.pid)).toBe(rows[0]?.pid)
  })

  it('returns every main column as text, SQL NULL as null', async () => {
    const rows = await db.run(
      batch(
        `select 1 as n, null::text as z, '{"a":1}'::jsonb as j, true as b, 1.50::numeric as num,
                '{1,2}'::int[] as arr, '2024-01-02 03:04:05+00'::timestamptz at time zone 'UTC' as ts`,
      ),
    )
    expect(rows).toEqual([
      { n: '1', z: null, j: '{"a": 1}', b: 't', num: '1.50', arr: '{1,2}', ts: '2024-01-02 03:04:05' },
    ])
  })

  it('returns all rows of main and ignores the rows of env', async () => {
    const rows = await db.run(batch('select g::text as g from generate_series(1, 3) g'))
    expect(rows).toEqual([{ g: '1' }, { g: '2' }, { g: '3' }])
    expect(await db.run(batch('select 1 as one where false'))).toEqual([])
  })

  it('sends values untyped, so Postgres infers each type from its context', async () => {
    const ids = async (where: string, value: unknown) =>
      (await db.run(batch(`select id::text as id from typed where ${where} order by id`, [value]))).map((r) => r.id)
    expect(await ids('id = $1', '5')).toEqual(['5'])
    expect(await ids('id = $1', 5)).toEqual(['5'])
    expect(await ids('id = any($1)', '{1,2}')).toEqual(['1', '2'])
    expect(await ids('id = any($1)', [1, 5])).toEqual(['1', '5'])
    expect(await ids('doc = $1', '{"k": 2}')).toEqual(['2'])
    expect(await ids('doc = $1', { k: 1 })).toEqual(['1'])
    expect(await ids('flag = $1', 'false')).toEqual(['2'])
    expect(await ids('flag = $1', true)).toEqual(['1'])
    expect(await ids('($1::int is null and doc is null)', null)).toEqual(['5'])
  })

  it('binds Buffers as bytea and Dates as timestamps', async () => {
    const rows = await db.run(
      batch("select encode($1::bytea, 'hex') as h, ($2::timestamptz at time zone 'UTC')::text as t", [
        Buffer.from('hi'),
        new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
      ]),
    )
    expect(rows).toEqual([{ h: '6869', t: '2024-01-02 03:04:05' }])
  })

  it('refuses writes in a read-only batch with SQLSTATE 25006, and writes nothing', async () => {
    const error = await rejection(
      db.run(batch("insert into ledger values (100, 'ro') returning id::text as id", [], { readOnly: true })),
    )
    expect(error.code).toBe('25006')
    expect(await db.query('select * from ledger where id = 100')).toEqual([])
    // the same statement, not read-only, works (and is not confused by the failed attempt)
    const rows = await db.run(batch("insert into ledger values (100, 'rw') returning id::text as id"))
    expect(rows).toEqual([{ id: '100' }])
  })

  it('rejects with the PostgreSQL error fields and keeps the connection usable', async () => {
    await db.run(batch("insert into ledger values (7, 'first') returning id::text as id"))
    const again = batch("insert into ledger values (7, 'again') returning id::text as id")
    const duplicate = await rejection(single.run(again))
    expect(duplicate).toMatchObject({
      code: '23505',
      severity: 'ERROR',
      message: expect.stringContaining('duplicate key'),
      detail: 'Key (id)=(7) already exists.',
      constraint: 'ledger_pkey',
    })
    expect(duplicate).toBeInstanceOf(Error)
    expect(await single.run(batch('select 1 as ok'))).toEqual([{ ok: '1' }])
  })

  it('an error in main commits nothing, and the next batch on that connection works', async () => {
    const error = await rejection(
      single.run(batch("with ins as (insert into ledger values (42, 'x') returning id) select (1 / 0)::text from ins")),
    )
    expect(error).toMatchObject({ code: '22012', message: 'division by zero' })
    expect(await single.query('select id from ledger where id = 42')).toEqual([])
    expect(await single.run(batch('select current_user::text as u'))).toEqual([{ u: 'postgres' }])
  })

  it('an error in env stops the batch before main', async () => {
    const error = await rejection(
      single.run({
        ...batch("insert into ledger values (43, 'x') returning id::text as id"),
        env: env('no_such_role_x', ''),
      }),
    )
    expect(error.code).toBe('22023')
    expect(await single.query('select id from ledger where id = 43')).toEqual([])
    expect(await single.run(batch('select 2 as ok'))).toEqual([{ ok: '2' }])
  })

  it('keeps 200 concurrent batches apart: each sees its own claims and values', async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        db.run({
          env: env('authenticated', JSON.stringify({ sub: `user-${i}` })),
          main: { text: 'select auth.user_id() as sub, $1::text as n, current_user::text as u', values: [i] },
          readOnly: true,
        }),
      ),
    )
    results.forEach((rows, i) => expect(rows).toEqual([{ sub: `user-${i}`, n: String(i), u: 'authenticated' }]))
  })

  describe('with a check', () => {
    const insert = (id: number) => batch("insert into ledger values ($1, 'checked') returning id::text as id", [id])

    it('commits when the check says commit, and hands it the rows', async () => {
      let seen: readonly ResultRow[] = []
      const rows = await db.run({
        ...insert(200),
        check: (r) => {
          seen = r
          return 'commit'
        },
      })
      expect(rows).toEqual([{ id: '200' }])
      expect(seen).toEqual([{ id: '200' }])
      expect(await db.query('select id from ledger where id = 200')).toEqual([{ id: 200 }])
    })

    it("rolls back on 'rollback' but still returns the rows", async () => {
      const rows = await single.run({ ...insert(201), check: () => 'rollback' })
      expect(rows).toEqual([{ id: '201' }])
      expect(await single.query('select id from ledger where id = 201')).toEqual([])
    })

    it('rolls back and rethrows when the check throws', async () => {
      const tooMany = new Error('more than one row')
      const error = await rejection(
        single.run({
          ...insert(202),
          check: () => {
            throw tooMany
          },
        }),
      )
      expect(error).toBe(tooMany)
      expect(await single.query('select id from ledger where id = 202')).toEqual([])
      expect(await single.run(batch('select 3 as ok'))).toEqual([{ ok: '3' }])
    })

    it('rolls back when main fails, and the connection stays usable', async () => {
      const error = await rejection(single.run({ ...insert(7), check: () => 'commit' }))
      expect(error.code).toBe('23505')
      const checked = await single.query("select count(*)::int as n from ledger where note = 'checked' and id = 7")
      expect(checked).toEqual([{ n: 0 }])
      expect(await single.run(batch('select 4 as ok'))).toEqual([{ ok: '4' }])
    })

    it('is read-only when the batch is', async () => {
      const error = await rejection(single.run({ ...insert(203), readOnly: true, check: () => 'commit' }))
      expect(error.code).toBe('25006')
      expect(await single.run(batch('select 5 as ok'))).toEqual([{ ok: '5' }])
    })

    it('applies env for main inside the explicit transaction too', async () => {
      const rows = await single.run({
        env: env('authenticated', '{"sub":"checked-user"}'),
        main: { text: 'select current_user::text as u, auth.user_id() as sub', values: [] },
        readOnly: true,
        check: () => 'commit',
      })
      expect(rows).toEqual([{ u: 'authenticated', sub: 'checked-user' }])
      const [after] = await single.query<{ u: string }>('select current_user::text as u')
      expect(after?.u).toBe('postgres')
    })
  })

  it('query() binds values and parses rows like node-postgres', async () => {
    const rows = await db.query(
      'select $1::int as i, $2::int8 as big, $3::jsonb as j, $4::bool as b, null::text as n',
      [5, '9007199254740993', { a: 1 }, true],
    )
    expect(rows).toEqual([{ i: 5, big: '9007199254740993', j: { a: 1 }, b: true, n: null }])
  })

  it('exec() runs several statements and returns one result each', async () => {
    const results = await db.exec(`
      create table exec_t (a int);
      insert into exec_t values (1), (2);
      select a from exec_t order by a;
      drop table exec_t
    `)
    expect(results).toHaveLength(4)
    expect(results[0]).toMatchObject({ command: 'CREATE', rows: [] })
    expect(results[1]).toMatchObject({ command: 'INSERT', rowCount: 2 })
    expect(results[2]).toEqual({ fields: ['a'], rows: [{ a: 1 }, { a: 2 }], command: 'SELECT', rowCount: 2 })
    expect(results[3]).toMatchObject({ command: 'DROP' })
  })

  it('exec() failing inside its own BEGIN leaves no open transaction behind', async () => {
    const error = await rejection(single.exec('begin; create table half_done (a int); select 1 / 0; commit;'))
    expect(error.code).toBe('22012')
    expect(await single.query("select to_regclass('half_done') is null as gone")).toEqual([{ gone: true }])
    expect(await single.run(batch('select 6 as ok'))).toEqual([{ ok: '6' }])
  })

  it('listen() receives NOTIFY on a channel named with any characters, until unlistened', async () => {
    const channel = 'Data API "events"'
    const got: string[] = []
    const unlisten = await db.listen(channel, (payload) => got.push(payload))
    await db.query('select pg_notify($1, $2)', [channel, 'hello'])
    await eventually(() => got.length === 1)
    expect(got).toEqual(['hello'])

    await unlisten()
    await db.query('select pg_notify($1, $2)', [channel, 'after'])
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(got).toEqual(['hello'])
  })
})
