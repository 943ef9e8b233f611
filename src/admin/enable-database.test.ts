import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../db/database.js'
import { createPgliteDatabase } from '../db/pglite-database.js'
import { loadConfig } from '../config/load-config.js'
import { dataApiState } from './data-api-state.js'
import { databaseStatus, formatStatus } from './database-status.js'
import { disableDatabase, enableDatabase, scramSha256Verifier } from './enable-database.js'
import { readSettings } from './settings-store.js'

describe('enabling a database (embedded)', () => {
  let db: Database
  beforeAll(async () => {
    db = await createPgliteDatabase({ name: 'enable_spec' })
  })
  afterAll(async () => db?.close())
  const state = () => dataApiState(loadConfig({}), db)

  it('hashes passwords exactly as PostgreSQL does (SCRAM-SHA-256)', async () => {
    await db.exec(`set password_encryption = 'scram-sha-256'; create role scram_probe login password 'pa$$-w0rd'`)
    const [row] = await db.query<{ rolpassword: string }>(`select rolpassword from pg_authid where rolname = 'scram_probe'`)
    const m = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(row!.rolpassword)!
    expect(scramSha256Verifier('pa$$-w0rd', Buffer.from(m[2]!, 'base64'), Number(m[1]))).toBe(row!.rolpassword)
  })

  async function snapshot(): Promise<unknown> {
    return {
      roles: await db.query(`select rolname, rolcanlogin, rolinherit, rolpassword from pg_authid
        where rolname in ('authenticator', 'authenticated', 'anonymous', 'web_anon') order by 1`),
      members: await db.query(`select r.rolname as role, m.rolname as member from pg_auth_members a
        join pg_roles r on r.oid = a.roleid join pg_roles m on m.oid = a.member order by 1, 2`),
      settings: await db.query(`select key, value, updated_at::text from data_api.settings order by key`),
      grants: await db.query(`select grantee, table_schema, table_name, privilege_type from information_schema.role_table_grants
        where grantee in ('authenticated', 'anonymous', 'authenticator') order by 1, 2, 3, 4`),
      defaults: await db.query(`select defaclrole::regrole::text, defaclnamespace::regnamespace::text, defaclacl::text from pg_default_acl`),
      functions: await db.query(`select p.oid::regprocedure::text as fn, p.prosrc from pg_proc p where p.pronamespace = 'auth'::regnamespace order by 1`),
    }
  }

  it('creates roles, settings and grants, and changes nothing when run again', async () => {
    await db.exec('create table notes (id int primary key, body text)')
    const first = await enableDatabase(db, {
      grantPublicSchema: true,
      settings: { auth_provider: 'external', jwt_audience: ['my-app'], db_anon_role: 'web_anon' },
    })
    expect(first).toMatchObject({ createdAuthenticator: true, password: undefined })
    expect(await readSettings(db)).toEqual({
      enabled: true,
      auth_provider: 'external',
      jwt_audience: ['my-app'],
      db_anon_role: 'web_anon',
    })
    const [can] = await db.query(`select pg_has_role('authenticator', 'web_anon', 'MEMBER') as member,
      has_table_privilege('authenticated', 'notes', 'SELECT, INSERT, UPDATE, DELETE') as granted,
      has_table_privilege('authenticator', 'data_api.settings', 'SELECT') as reads_settings`)
    expect(can).toEqual({ member: true, granted: true, reads_settings: true })

    const before = await snapshot()
    const second = await enableDatabase(db, {
      grantPublicSchema: true,
      settings: { auth_provider: 'external', jwt_audience: ['my-app'], db_anon_role: 'web_anon' },
    })
    expect(second).toMatchObject({ createdAuthenticator: false, password: undefined })
    expect(await snapshot()).toEqual(before)
    // without options, stored settings stay as they are
    await enableDatabase(db)
    expect(await snapshot()).toEqual(before)
  })

  it('reports tables without row-level security in the exposed schemas', async () => {
    await db.exec(`create table guarded (id int); alter table guarded enable row level security;
      create schema hidden; create table hidden.raw (id int);`)
    const status = await databaseStatus(db, 'enable_spec', await state())
    expect(status).toMatchObject({ database: 'enable_spec', enabled: true, exposedSchemas: ['public'] })
    expect(status.roles).toEqual({ authenticator: true, authenticated: true, anonymous: true })
    expect(status.rlsDisabled).toEqual([{ schema: 'public', name: 'notes', qualified: 'public.notes', grantedTo: ['authenticated'] }])
    const text = formatStatus(status)
    expect(text).toContain('Data API: enabled')
    expect(text).toContain('WARNING: 1 table in the exposed schemas has row-level security disabled.')
    expect(text).toContain('  public.notes  (granted to authenticated)')
  })

  it('disables and re-enables without touching user objects', async () => {
    await disableDatabase(db)
    expect((await readSettings(db)).enabled).toBe(false)
    expect((await databaseStatus(db, 'enable_spec', await state())).enabled).toBe(false)
    expect(await db.query(`select count(*)::int as n from notes`)).toEqual([{ n: 0 }])
    await enableDatabase(db)
    expect((await readSettings(db)).enabled).toBe(true)
  })
})

describe('status of a database never enabled', () => {
  it('says so', async () => {
    const db = await createPgliteDatabase({ name: 'fresh' })
    try {
      const status = await databaseStatus(db, 'fresh', await dataApiState(loadConfig({}), db))
      expect(status).toMatchObject({ enabled: false, bootstrapped: false })
      expect(formatStatus(status)).toContain('Data API: not enabled (run data-api create)')
      // disabling a database never enabled changes nothing
      await disableDatabase(db)
      expect(await db.query(`select to_regclass('data_api.settings') as t`)).toEqual([{ t: null }])
    } finally {
      await db.close()
    }
  })
})
