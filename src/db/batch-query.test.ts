/**
 * The wire-level promises of BatchQuery, on a plain pg.Client (PostgreSQL only): one Sync per batch,
 * one Parse per statement per connection, and correct bookkeeping when a batch fails part-way.
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTempPostgres, databaseUrl, type TempPostgres } from '../../test/support/temp-postgres.js'
import { BatchQuery, preparedStatementsOf, type WireStatement } from './batch-query.js'
import type { ResultRow } from './database.js'
import type { WireConnection } from './pg-wire.js'
import { prepareValue } from './pg-wire.js'
import { statementName } from './statement-name.js'

function statement(text: string, values: readonly unknown[] = [], keepRows = false): WireStatement {
  return { name: statementName(text), text, values: values.map(prepareValue), keepRows }
}

describe.skipIf(!databaseUrl)('BatchQuery on PostgreSQL', () => {
  let temp: TempPostgres
  let client: pg.Client
  let connection: WireConnection
  const sent: string[] = []
  let readyForQuery = 0

  beforeAll(async () => {
    temp = (await createTempPostgres('dapi_batch_query')) as TempPostgres
    client = new pg.Client({ connectionString: temp.url })
    await client.connect()
    connection = (client as unknown as { connection: WireConnection }).connection
    // record the frontend messages this connection writes, by kind
    const spied = connection as unknown as Record<string, (...args: unknown[]) => unknown>
    for (const kind of ['parse', 'bind', 'describe', 'execute', 'sync', 'close']) {
      const original = spied[kind]?.bind(connection)
      spied[kind] = (...args: unknown[]) => {
        sent.push(kind)
        return original?.(...args)
      }
    }
    ;(connection as unknown as pg.Connection).on('readyForQuery', () => readyForQuery++)
  })

  afterAll(async () => {
    await client?.end()
    await temp?.drop()
  })

  function send(statements: readonly WireStatement[]): Promise<ResultRow[]> {
    return new Promise((resolve, reject) => {
      const batch = new BatchQuery(statements, (error, rows) => (error ? reject(error) : resolve(rows ?? [])))
      client.query(batch as unknown as pg.Submittable)
    })
  }

  const env = statement("select set_config('request.jwt.claims', $1, true)", ['{"sub":"wire"}'])
  const main = statement("select current_setting('request.jwt.claims', true) as claims, $1::text as v", ['x'], true)

  it('writes env and main with a single Sync and gets a single ReadyForQuery back', async () => {
    sent.length = 0
    readyForQuery = 0
    expect(await send([env, main])).toEqual([{ claims: '{"sub":"wire"}', v: 'x' }])
    expect(sent).toEqual(['parse', 'bind', 'execute', 'parse', 'bind', 'describe', 'execute', 'sync'])
    expect(readyForQuery).toBe(1)
  })

  it('parses each statement once per connection', async () => {
    sent.length = 0
    expect(await send([env, main])).toEqual([{ claims: '{"sub":"wire"}', v: 'x' }])
    expect(sent).toEqual(['bind', 'execute', 'bind', 'describe', 'execute', 'sync'])
    const { rows } = await client.query<{ name: string }>('select name from pg_prepared_statements order by name')
    expect(rows.map((r) => r.name).sort()).toEqual([env.name, main.name].sort())
  })

  it('does not remember a Parse that failed', async () => {
    const broken = statement('select from from nowhere', [], true)
    for (let attempt = 0; attempt < 2; attempt++) {
      // a remembered name would give 26000 (no such prepared statement) the second time
      await expect(send([env, broken])).rejects.toMatchObject({ code: '42601' })
    }
    expect(preparedStatementsOf(connection).has(broken.name)).toBe(false)
  })

  it('does not remember a statement whose Parse the server skipped after an earlier error', async () => {
    const failingEnv = statement("select set_config('role', $1, true)", ['no_such_role_batch'])
    const fresh = statement('select 1 as fresh', [], true)
    await expect(send([failingEnv, fresh])).rejects.toMatchObject({ code: '22023' })
    expect(preparedStatementsOf(connection).has(fresh.name)).toBe(false)
    expect(await send([env, fresh])).toEqual([{ fresh: '1' }])
  })

  it('remembers a statement that parsed but failed at run time, and reuses it', async () => {
    const divide = (by: number) => statement('select (10 / $1::int)::text as q', [by], true)
    await expect(send([env, divide(0)])).rejects.toMatchObject({ code: '22012' })
    sent.length = 0
    // a second Parse of the same name would fail with 42P05 (already exists)
    expect(await send([env, divide(5)])).toEqual([{ q: '2' }])
    expect(sent.filter((kind) => kind === 'parse')).toEqual([])
  })

  it('leaves the connection usable for plain queries after an error', async () => {
    await expect(send([env, statement('select 1 / 0', [], true)])).rejects.toMatchObject({ code: '22012' })
    const { rows } = await client.query('select 1 as ok')
    expect(rows).toEqual([{ ok: 1 }])
  })
})

describe.skipIf(!databaseUrl)('BatchQuery pipelined on one connection (PostgreSQL)', () => {
  let temp: TempPostgres
  let client: pg.Client

  beforeAll(async () => {
    temp = (await createTempPostgres('dapi_batch_pipelined')) as TempPostgres
    client = new pg.Client({ connectionString: temp.url, pipeline: true })
    await client.connect()
  })

  afterAll(async () => {
    await client?.end()
    await temp?.drop()
  })

  function send(statements: readonly WireStatement[]): Promise<ResultRow[]> {
    return new Promise((resolve, reject) => {
      client.query(new BatchQuery(statements, (error, rows) => (error ? reject(error) : resolve(rows ?? []))) as unknown as pg.Submittable)
    })
  }

  const claims = (sub: string) => statement("select set_config('request.jwt.claims', $1, true)", [`{"sub":"${sub}"}`])
  const main = statement("select current_setting('request.jwt.claims', true)::json->>'sub' as sub, $1::text as v", ['?'], true)
  const withValue = (v: string) => ({ ...main, values: [v] })

  it('answers batches written back to back, each in its own implicit transaction, a new statement parsed once', async () => {
    // all three are written before the first is answered: the later two use the unnamed statement
    const answers = await Promise.all([send([claims('a'), withValue('1')]), send([claims('b'), withValue('2')]), send([claims('c'), withValue('3')])])
    expect(answers).toEqual([[{ sub: 'a', v: '1' }], [{ sub: 'b', v: '2' }], [{ sub: 'c', v: '3' }]])
    const { rows } = await client.query<{ n: number }>('select count(*)::int as n from pg_prepared_statements')
    expect(rows).toEqual([{ n: 2 }])
    expect(await send([claims('d'), withValue('4')])).toEqual([{ sub: 'd', v: '4' }])
  })

  it('keeps a failing batch from touching the ones behind it', async () => {
    const failing = send([claims('x'), statement('select 1 / 0 as boom', [], true)])
    const fresh = send([claims('y'), statement('select 2 as fine', [], true)])
    await expect(failing).rejects.toMatchObject({ code: '22012' })
    expect(await fresh).toEqual([{ fine: '2' }])
  })
})
