import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../db/database.js'
import { createPgliteDatabase } from '../db/pglite-database.js'
import { RoleGate } from './role-gate.js'

describe('RoleGate', () => {
  let db: Database
  let queries = 0
  const query = (text: string, values: readonly unknown[]) => {
    queries++
    return db.query(text, values)
  }

  beforeAll(async () => {
    db = await createPgliteDatabase({ name: 'gate' })
    await db.exec(`create role authenticator login noinherit; create role authenticated nologin; create role editor nologin;
      create role outsider nologin; create role chief nologin; grant authenticated, editor to authenticator; grant chief to editor;`)
  })
  afterAll(async () => db?.close())

  const outcome = (gate: RoleGate, role: string) =>
    gate.check(role).then(
      () => 'ok',
      (e: { status: number; code: string; message: string; headers: Record<string, string> }) =>
        `${e.status} ${e.code} ${e.message} [${e.headers['WWW-Authenticate']}]`,
    )

  it('allows the roles authenticator is a member of, directly or not', async () => {
    const gate = new RoleGate(query)
    expect(await outcome(gate, 'authenticated')).toBe('ok')
    expect(await outcome(gate, 'editor')).toBe('ok')
    expect(await outcome(gate, 'chief')).toBe('ok')
  })

  it('refuses other roles, the superuser first of all, with 401', async () => {
    const gate = new RoleGate(query)
    expect(await outcome(gate, 'postgres')).toBe('401 42501 permission denied to set role "postgres" [Bearer]')
    expect(await outcome(gate, 'outsider')).toBe('401 42501 permission denied to set role "outsider" [Bearer]')
    expect(await outcome(gate, 'nobody_at_all')).toBe('401 22023 role "nobody_at_all" does not exist [Bearer]')
  })

  it('caches answers until the generation changes or they get old', async () => {
    let generation = 1
    let now = 0
    const gate = new RoleGate(query, { generation: () => generation, now: () => now, ttlMs: 1000 })
    expect(await outcome(gate, 'outsider')).toMatch(/^401/)
    await db.exec('grant outsider to authenticator')
    queries = 0
    expect(await outcome(gate, 'outsider')).toMatch(/^401/) // cached
    expect(queries).toBe(0)
    generation++
    expect(await outcome(gate, 'outsider')).toBe('ok')
    await db.exec('revoke outsider from authenticator')
    now += 1001
    expect(await outcome(gate, 'outsider')).toMatch(/^401/)
    expect(queries).toBe(2)
  })
})
