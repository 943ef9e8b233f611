/**
 * What a branch costs (docs/branches.md): the time to create three branches of a database holding
 * 100,000 rows, and the disk each copy takes, embedded and on PostgreSQL.
 * `npm run measure:branches [-- postgres://postgres@127.0.0.1:5432/postgres]`
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execSync } from 'node:child_process'
import { startApp } from '../src/app.js'
import { loadConfig } from '../src/config/load-config.js'

async function measure(label: string, overrides: Record<string, unknown>, size: (name: string) => Promise<number>) {
  const app = await startApp(loadConfig({}, { port: 0, logLevel: 'silent', wirePort: undefined, adminKey: 'measure-admin-key-0123456789', jwtSecret: 'x'.repeat(32), ...overrides } as never))
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${app.url}/api/v2${path}`, { method, headers: { Authorization: 'Bearer measure-admin-key-0123456789', 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
    if (!res.ok) throw new Error(`${res.status} ${await res.text()}`)
    return res.json()
  }
  const db = app.db.name
  await call('POST', `/projects/local/branches/main/databases/${db}/sql`, { sql: `create table t (id int primary key, v text); insert into t select g, repeat('x', 100) from generate_series(1, 100000) g` })
  const base = await size(db)
  for (let i = 0; i < 3; i++) {
    const started = performance.now()
    await call('POST', '/projects/local/branches', { branch: { name: `m${i}` } })
    const ms = performance.now() - started
    const copy = await size(`br_m${i}_${db}`)
    console.log(`${label}: branch ${i}: ${Math.round(ms)} ms, parent ${(base / 1e6).toFixed(1)} MB, copy ${(copy / 1e6).toFixed(1)} MB`)
  }
  for (let i = 0; i < 3; i++) await call('DELETE', `/projects/local/branches/m${i}`)
  await app.close()
}

const dir = mkdtempSync(join(tmpdir(), 'measure-'))
await measure('embedded', { dataDir: dir }, async (name) => Number(execSync(`du -sb ${join(dir, 'databases', name)}`).toString().split('\t')[0]))
rmSync(dir, { recursive: true, force: true })
const { default: pg } = await import('pg')
const server = process.argv[2] ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const admin = new pg.Client({ connectionString: server })
await admin.connect()
await admin.query('drop database if exists measure_branches with (force)')
await admin.query('create database measure_branches')
const url = new URL(server)
url.pathname = '/measure_branches'
await measure('postgres', { databaseUrl: url.toString(), dataDir: 'memory://' }, async (name) => Number((await admin.query('select pg_database_size($1) as s', [name])).rows[0].s))
await admin.query('drop database if exists measure_branches with (force)')
await admin.end()
