/**
 * What only the PostgreSQL backend does: prepared statements on pooled connections, connection
 * failures and recovery, a LISTEN that survives a dropped connection. The shared contract is in
 * database-contract.test.ts.
 */
import { randomBytes } from 'node:crypto'
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTempPostgres, databaseUrl, type TempPostgres } from '../../test/support/temp-postgres.js'
import type { Batch, Database } from './database.js'
import { ConnectionError, createPostgresDatabase, databaseNameFromUrl } from './postgres-database.js'

describe('databaseNameFromUrl', () => {
  it('takes the path, percent-decoded, and falls back to the user name like libpq', () => {
    expect(databaseNameFromUrl('postgres://u@localhost:5432/neondb')).toBe('neondb')
    expect(databaseNameFromUrl('postgresql://u@h/my%20db?sslmode=require')).toBe('my db')
    expect(databaseNameFromUrl('postgres://alice@h')).toBe('alice')
  })
})

const asAdmin: Batch['env'] = { text: "select set_config('request.jwt.claims', $1, true)", values: [''] }
const batch = (text: string, values: readonly unknown[] = []): Batch => ({
  env: asAdmin,
  main: { text, values },
  readOnly: false,
})

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: unknown }> {
  try {
    await promise
  } catch (error) {
    return error as Error & { code?: unknown }
  }
  throw new Error('expected a rejection')
}

async function eventually<T>(attempt: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const result = await attempt().catch(() => undefined)
    if (result !== undefined) return result
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** A TCP proxy to the test server that can be cut and restored, to play a database going away. */
function tcpProxy(target: URL) {
  const sockets = new Set<net.Socket>()
  let server: net.Server | undefined
  const open = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const next = net.createServer((inbound) => {
        const outbound = net.connect(Number(target.port || 5432), target.hostname)
        for (const socket of [inbound, outbound]) {
          sockets.add(socket)
          socket.on('error', () => {})
          socket.on('close', () => {
            sockets.delete(socket)
            inbound.destroy()
            outbound.destroy()
          })
        }
        inbound.pipe(outbound).pipe(inbound)
      })
      next.once('error', reject)
      next.listen(port, '127.0.0.1', () => {
        server = next
        resolve((next.address() as net.AddressInfo).port)
      })
    })
  const cut = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy()
      if (server) server.close(() => resolve())
      else resolve()
      server = undefined
    })
  return { open, cut }
}

describe.skipIf(!databaseUrl)('PostgreSQL backend', () => {
  let temp: TempPostgres
  let single: Database

  beforeAll(async () => {
    temp = (await createTempPostgres('dapi_pg_backend')) as TempPostgres
    single = await createPostgresDatabase({ url: temp.url, poolSize: 1, preparedStatementsPerConnection: 8 })
  })

  afterAll(async () => {
    await single?.close()
    await temp?.drop()
  })

  it('knows its kind and name', () => {
    expect(single.kind).toBe('postgres')
    expect(single.name).toBe(temp.name)
  })

  it('prepares env and main once per connection and reuses them', async () => {
    const main = 'select $1::text as v, pg_backend_pid() as pid'
    for (let i = 0; i < 5; i++) {
      expect(await single.run(batch(main, [i]))).toEqual([{ v: String(i), pid: expect.any(String) }])
    }
    const prepared = await single.query<{ statement: string; n: number }>(
      'select statement, count(*)::int as n from pg_prepared_statements group by statement',
    )
    expect(prepared).toContainEqual({ statement: main, n: 1 })
    expect(prepared).toContainEqual({ statement: asAdmin.text, n: 1 })
  })

  it('parses every statement unnamed when prepared statements are off (a transaction-mode pooler)', async () => {
    const unnamed = await createPostgresDatabase({ url: temp.url, poolSize: 2, preparedStatements: false })
    try {
      const main = 'select $1::text as v, 42 as unnamed_marker'
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => unnamed.run(batch(main, [i]))))
      expect(results.map((rows) => rows[0]?.v)).toEqual(Array.from({ length: 12 }, (_, i) => String(i)))
      const prepared = await unnamed.query<{ statement: string }>('select statement from pg_prepared_statements')
      expect(prepared).toEqual([])
    } finally {
      await unnamed.close()
    }
  })

  it('closes the least recently used statements beyond the limit, and prepares them again on demand', async () => {
    for (let i = 0; i < 20; i++) await single.run(batch(`select ${i} as n`))
    const [count] = await single.query<{ n: number }>('select count(*)::int as n from pg_prepared_statements')
    // the limit, plus those evicted by the last batch (closed at the start of the next one)
    expect(count?.n).toBeLessThanOrEqual(9)
    expect(await single.run(batch('select 0 as n'))).toEqual([{ n: '0' }])
  })

  it('rejects with ECONNREFUSED when the server cannot be reached', async () => {
    const url = new URL(temp.url)
    url.port = '1' // nothing listens there
    const error = await rejection(createPostgresDatabase({ url: url.toString(), poolSize: 2 }))
    expect(error).toBeInstanceOf(ConnectionError)
    expect(error.code).toBe('ECONNREFUSED')
  })

  it('fails requests while the database is away and recovers when it is back', async () => {
    const proxy = tcpProxy(new URL(temp.url))
    const port = await proxy.open(0)
    const url = new URL(temp.url)
    url.hostname = '127.0.0.1'
    url.port = String(port)
    const db = await createPostgresDatabase({ url: url.toString(), poolSize: 2 })
    try {
      expect(await db.run(batch('select 1 as ok'))).toEqual([{ ok: '1' }])

      await proxy.cut()
      const error = await rejection(db.run(batch('select 1 as ok')))
      expect(error).toBeInstanceOf(ConnectionError)
      expect(String(error.code)).toMatch(/^ECONN/)

      await proxy.open(port)
      expect(await eventually(async () => db.run(batch('select 2 as ok')))).toEqual([{ ok: '2' }])
      expect(await db.query('select 3 as ok')).toEqual([{ ok: 3 }])
    } finally {
      await db.close()
      await proxy.cut()
    }
  })

  it('keeps listening after its connection is dropped', async () => {
    const applicationName = `dapi_listen_${randomBytes(4).toString('hex')}`
    const db = await createPostgresDatabase({ url: temp.url, poolSize: 1, applicationName })
    try {
      const got: string[] = []
      await db.listen('data_api', (payload) => got.push(payload))
      const [killed] = await db.query<{ n: number }>(
        `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
         where application_name = $1 and query ilike 'LISTEN%'`,
        [applicationName],
      )
      expect(killed?.n).toBe(1)
      // notifications sent while it reconnects are lost: keep sending until one arrives
      await eventually(async () => {
        await db.query("select pg_notify('data_api', 'after reconnect')")
        await new Promise((resolve) => setTimeout(resolve, 50))
        return got.includes('after reconnect') ? true : undefined
      })
    } finally {
      await db.close()
    }
  })
})
