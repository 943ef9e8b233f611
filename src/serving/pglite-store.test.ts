import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createPgliteDatabase } from '../db/pglite-database.js'
import { StoreError } from './database-store.js'
import { createPgliteStore } from './pglite-store.js'

describe('the embedded databases in a data folder', () => {
  const dirs: string[] = []
  const folder = () => {
    const dir = mkdtempSync(join(tmpdir(), 'dapi-store-'))
    dirs.push(dir)
    return dir
  }
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })

  it('keeps each database in a folder of its own, lists, copies and drops them', async () => {
    const dir = folder()
    const store = await createPgliteStore({ dataDir: dir, defaultName: 'neondb' })
    expect(await store.list()).toEqual(['neondb'])
    const main = await store.open('neondb')
    await main.exec("create table kept (note text); insert into kept values ('in neondb')")
    await store.create('shop')
    expect(await store.list()).toEqual(['neondb', 'shop'])
    await expect(store.create('shop')).rejects.toBeInstanceOf(StoreError)
    await expect(store.open('nope')).rejects.toMatchObject({ kind: 'missing' })
    // a copy of a live database, from its dump
    const dump = await main.withPglite!((p) => p.dumpDataDir('none'))
    await store.create('copy', { dump })
    const copy = await store.open('copy')
    expect(await copy.query('select note from kept')).toEqual([{ note: 'in neondb' }])
    await copy.exec("insert into kept values ('only in copy')")
    expect(await main.query('select count(*)::int as n from kept')).toEqual([{ n: 1 }])
    await copy.close()
    await main.close()
    await store.drop('copy')
    expect(await store.list()).toEqual(['neondb', 'shop'])
    expect((await readdir(join(dir, 'databases'))).sort()).toEqual(['neondb', 'shop'])
  })

  it('moves a database kept at the top of an older data folder into databases/, keeping its data and our files', async () => {
    const dir = folder()
    const old = await createPgliteDatabase({ dataDir: dir })
    await old.exec("create table kept (note text); insert into kept values ('from before')")
    await old.close()
    writeFileSync(join(dir, 'admin-key'), 'key\n')
    const notes: string[] = []
    const store = await createPgliteStore({ dataDir: dir, defaultName: 'neondb', onWarning: (m) => notes.push(m) })
    expect(notes).toContain(`Moving the embedded database from ${dir} into ${join(dir, 'databases', 'neondb')} (one-time layout change)`)
    expect(existsSync(join(dir, 'PG_VERSION'))).toBe(false)
    expect(existsSync(join(dir, 'admin-key'))).toBe(true)
    const db = await store.open('neondb')
    expect(await db.query('select note from kept')).toEqual([{ note: 'from before' }])
    await db.close()
  })

  it('keeps in-memory databases for the life of the store', async () => {
    const store = await createPgliteStore({ dataDir: 'memory://', defaultName: 'neondb' })
    const a = await store.open('neondb')
    await a.exec('create table t (id int)')
    await a.close()
    const b = await store.open('neondb')
    expect(await b.query('select count(*)::int as n from t')).toEqual([{ n: 0 }])
    await store.create('other')
    expect(await store.list()).toEqual(['neondb', 'other'])
    await store.close()
  })
})
