/**
 * What only the PGlite backend must guarantee: one session shared by everything, so a request's
 * transaction (with its role and claims) must never let another statement in. The shared contract is
 * in database-contract.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from './database.js'
import { createPgliteDatabase } from './pglite-database.js'

describe('PGlite backend', () => {
  let db: Database

  beforeAll(async () => {
    db = await createPgliteDatabase({ name: 'appdb' })
    await db.exec('create role authenticated nologin')
  })

  afterAll(async () => {
    await db?.close()
  })

  it('knows its kind and the name it was given (neondb by default)', () => {
    expect(db.kind).toBe('pglite')
    expect(db.name).toBe('appdb')
  })

  it('never interleaves other statements with a running batch', async () => {
    const work = Array.from({ length: 50 }, (_, i) =>
      i % 2 === 0
        ? db.run({
            env: { text: "select set_config('role', 'authenticated', true)", values: [] },
            main: { text: 'select current_user::text as u', values: [] },
            readOnly: true,
          })
        : db.query<{ u: string }>('select current_user::text as u'),
    )
    const results = await Promise.all(work)
    results.forEach((rows, i) => expect(rows).toEqual([{ u: i % 2 === 0 ? 'authenticated' : 'postgres' }]))
  })

  it('keeps serving after a batch, a query and a script fail', async () => {
    const env = { text: 'select 1', values: [] }
    await expect(db.run({ env, main: { text: 'select 1 / 0', values: [] }, readOnly: false })).rejects.toMatchObject({
      code: '22012',
    })
    await expect(db.query('select nope')).rejects.toMatchObject({ code: '42703' })
    await expect(db.exec('begin; select nope;')).rejects.toMatchObject({ code: '42703' })
    expect(await db.query('select 1 as ok')).toEqual([{ ok: 1 }])
  })
})

describe('PGlite backend defaults', () => {
  it('is called neondb unless named', async () => {
    const db = await createPgliteDatabase()
    try {
      expect(db.name).toBe('neondb')
    } finally {
      await db.close()
    }
  })
})
