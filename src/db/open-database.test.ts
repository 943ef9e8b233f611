import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createTempPostgres, databaseUrl } from '../../test/support/temp-postgres.js'
import { openDatabase } from './open-database.js'

describe('openDatabase', () => {
  const dirs: string[] = []

  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true })
  })

  it('without a URL, opens PGlite persisted at dataDir (created if missing)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'dapi-open-'))
    dirs.push(root)
    const dataDir = join(root, 'nested', 'pgdata')

    const first = await openDatabase({ dataDir })
    expect(first.kind).toBe('pglite')
    await first.exec("create table kept (note text); insert into kept values ('still here')")
    await first.close()
    expect((await stat(dataDir)).isDirectory()).toBe(true)

    const second = await openDatabase({ dataDir })
    try {
      expect(await second.query('select note from kept')).toEqual([{ note: 'still here' }])
    } finally {
      await second.close()
    }
  })

  it('with a memory:// dataDir, keeps PGlite in memory and writes nothing', async () => {
    const db = await openDatabase({ dataDir: 'memory://test', name: 'demo' })
    try {
      expect(db.kind).toBe('pglite')
      expect(db.name).toBe('demo')
      expect(await db.query('select 1 as ok')).toEqual([{ ok: 1 }])
      await expect(stat('memory:')).rejects.toMatchObject({ code: 'ENOENT' })
    } finally {
      await db.close()
    }
  })

  it.skipIf(!databaseUrl)('with a URL, opens PostgreSQL and leaves dataDir alone', async () => {
    const temp = await createTempPostgres('dapi_open')
    const dataDir = join(tmpdir(), `dapi-unused-${Date.now()}`)
    try {
      const db = await openDatabase({ databaseUrl: temp?.url, dataDir, poolSize: 2 })
      expect(db.kind).toBe('postgres')
      expect(db.name).toBe(temp?.name)
      expect(await db.query('select 1 as ok')).toEqual([{ ok: 1 }])
      await db.close()
      await expect(stat(dataDir)).rejects.toMatchObject({ code: 'ENOENT' })
    } finally {
      await temp?.drop()
    }
  })
})
