/**
 * bootstrapDatabase on both backends: the objects it creates, idempotence, the DDL event trigger and
 * the auth.* functions' semantics; on PostgreSQL also concurrent runs and a non-superuser owner.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTempPostgres, databaseUrl, type TempPostgres } from '../../test/support/temp-postgres.js'
import { bootstrapDatabase, bootstrapScript, NO_EVENT_TRIGGER_WARNING } from './bootstrap.js'
import type { Database } from './database.js'
import { createPgliteDatabase } from './pglite-database.js'
import { createPostgresDatabase } from './postgres-database.js'

type Backend = Readonly<{ label: string; open: () => Promise<{ db: Database; dispose: () => Promise<void> }> }>

const pglite: Backend = {
  label: 'pglite',
  open: async () => {
    const db = await createPgliteDatabase({})
    return { db, dispose: () => db.close() }
  },
}

const postgres: Backend = {
  label: 'postgres',
  open: async () => {
    const temp = (await createTempPostgres('dapi_bootstrap')) as TempPostgres
    const db = await createPostgresDatabase({ url: temp.url, poolSize: 2 })
    return {
      db,
      dispose: async () => {
        await db.close()
        await temp.drop()
      },
    }
  },
}

async function eventually(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe.each(databaseUrl ? [pglite, postgres] : [pglite])('bootstrapDatabase on $label', (backend) => {
  let db: Database
  let dispose: () => Promise<void>

  beforeAll(async () => {
    ;({ db, dispose } = await backend.open())
    expect(await bootstrapDatabase(db)).toEqual({ warnings: [] })
  })

  afterAll(async () => {
    await dispose?.()
  })

  /** auth.* as the given request role with the given raw claims setting (undefined: never set). */
  async function authAs(claims: string | undefined, role = 'authenticated') {
    const setClaims = "select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)"
    const [row] = await db.run({
      env:
        claims === undefined
          ? { text: "select set_config('role', $1, true)", values: [role] }
          : { text: setClaims, values: [role, claims] },
      main: {
        text: `select auth.session()::text as session, auth.jwt()::text as jwt,
                      auth.user_id() as user_id, auth.uid()::text as uid`,
        values: [],
      },
      readOnly: true,
    })
    return row
  }

  it('creates the request roles, authenticator being a member of both', async () => {
    const roles = await db.query<{ rolname: string; member_of: string[] }>(`
      select r.rolname::text,
             coalesce(array_agg(g.rolname::text order by g.rolname::text) filter (where g.rolname is not null), '{}')
               as member_of
      from pg_roles r
      left join pg_auth_members m on m.member = r.oid
      left join pg_roles g on g.oid = m.roleid and g.rolname in ('authenticated', 'anonymous')
      where r.rolname in ('authenticator', 'authenticated', 'anonymous')
      group by r.rolname order by r.rolname`)
    expect(roles).toEqual([
      { rolname: 'anonymous', member_of: [] },
      { rolname: 'authenticated', member_of: [] },
      { rolname: 'authenticator', member_of: ['anonymous', 'authenticated'] },
    ])
  })

  it('is idempotent and keeps what is already there', async () => {
    await db.query(`insert into data_api.settings (key, value) values ('max_rows', '100')`)
    const authFunctions = `select count(*)::int as n from pg_proc where pronamespace = 'auth'::regnamespace`
    const before = await db.query(authFunctions)
    expect(await bootstrapDatabase(db)).toEqual({ warnings: [] })
    expect(await bootstrapDatabase(db)).toEqual({ warnings: [] })
    expect(await db.query(`select key, value from data_api.settings`)).toEqual([{ key: 'max_rows', value: 100 }])
    expect(await db.query(authFunctions)).toEqual(before)
    expect(await db.query(`select count(*)::int as n from pg_event_trigger where evtname like 'data_api_%'`)).toEqual([
      { n: 2 },
    ])
  })

  it('defines the auth functions as STABLE', async () => {
    const functions = await db.query(
      `select proname, provolatile from pg_proc where pronamespace = 'auth'::regnamespace order by proname`,
    )
    expect(functions).toEqual(['jwt', 'session', 'uid', 'user_id'].map((proname) => ({ proname, provolatile: 's' })))
  })

  it('announces DDL with NOTIFY data_api, reload schema', async () => {
    const got: string[] = []
    const unlisten = await db.listen('data_api', (payload) => got.push(payload))
    try {
      await db.exec('create table watched (id int)')
      await eventually(() => got.length === 1)
      await db.exec('drop table watched')
      await eventually(() => got.length === 2)
      expect(got).toEqual(['reload schema', 'reload schema'])
    } finally {
      await unlisten()
    }
  })

  it('auth.*: string sub', async () => {
    expect(await authAs('{"sub":"u1","role":"authenticated"}')).toEqual({
      session: '{"sub": "u1", "role": "authenticated"}',
      jwt: '{"sub": "u1", "role": "authenticated"}',
      user_id: 'u1',
      uid: null,
    })
  })

  it('auth.*: a uuid sub is also auth.uid(), in canonical lower case', async () => {
    const sub = '8F14E45F-CEEA-467F-A0E6-3A2B9C1D5E6F'
    expect(await authAs(JSON.stringify({ sub }))).toMatchObject({ user_id: sub, uid: sub.toLowerCase() })
    expect(await authAs('{"sub":"8f14e45f-ceea-467f-a0e6"}')).toMatchObject({ uid: null })
  })

  it('auth.*: a sub that is not a JSON string is no user', async () => {
    for (const claims of ['{"sub":5}', '{"sub":null}', '{"sub":{"id":"u1"}}', '{}', '[1,2]', '"u1"']) {
      expect(await authAs(claims)).toMatchObject({ user_id: null, uid: null })
    }
    expect(await authAs('{"sub":5}')).toMatchObject({ session: '{"sub": 5}' })
  })

  it('auth.*: unset, empty or invalid claims are JSON null', async () => {
    const none = { session: 'null', jwt: 'null', user_id: null, uid: null }
    expect(await authAs(undefined)).toEqual(none)
    expect(await authAs('')).toEqual(none)
    expect(await authAs('not json')).toEqual(none)
    expect(await authAs('{"sub":"u1"')).toEqual(none)
  })

  it('auth.* are usable by anonymous too', async () => {
    expect(await authAs('{"sub":"anon-ish"}', 'anonymous')).toMatchObject({ user_id: 'anon-ish' })
  })
})

describe('bootstrapScript', () => {
  it('runs everything in one transaction under the advisory lock, the event trigger only for superusers', () => {
    const script = bootstrapScript({ serverVersion: 150000, superuser: false })
    expect(script.startsWith('BEGIN;\nSELECT pg_advisory_xact_lock(')).toBe(true)
    expect(script.trimEnd().endsWith('COMMIT;')).toBe(true)
    expect(script).not.toContain('EVENT TRIGGER')
    const asSuperuser = bootstrapScript({ serverVersion: 150000, superuser: true })
    expect(asSuperuser).toContain('CREATE EVENT TRIGGER data_api_ddl_watch')
  })

  it('validates claims with IS JSON from PostgreSQL 16, with an exception handler before', () => {
    expect(bootstrapScript({ serverVersion: 160000, superuser: true })).toContain('IS JSON')
    expect(bootstrapScript({ serverVersion: 150000, superuser: true })).not.toContain('IS JSON')
  })
})

describe.skipIf(!databaseUrl)('bootstrapDatabase on PostgreSQL only', () => {
  it('is safe to run from two processes at once', async () => {
    const temp = (await createTempPostgres('dapi_bootstrap_race')) as TempPostgres
    const [a, b] = await Promise.all([1, 2].map(() => createPostgresDatabase({ url: temp.url, poolSize: 1 })))
    try {
      const results = await Promise.all([bootstrapDatabase(a as Database), bootstrapDatabase(b as Database)])
      expect(results).toEqual([{ warnings: [] }, { warnings: [] }])
      const triggers = `select count(*)::int as n from pg_event_trigger where evtname like 'data_api_%'`
      expect(await a?.query(triggers)).toEqual([{ n: 2 }])
    } finally {
      await a?.close()
      await b?.close()
      await temp.drop()
    }
  })

  it('skips the event trigger, with a warning, when the connecting role is not a superuser', async () => {
    const owner = `dapi_owner_${randomBytes(4).toString('hex')}`
    const admin = new pg.Client({ connectionString: databaseUrl })
    await admin.connect()
    const temp = (await createTempPostgres('dapi_bootstrap_owner')) as TempPostgres
    let db: Database | undefined
    try {
      // like a hosted database owner: owns the database, may create roles, is not a superuser
      await admin.query(`create role ${owner} login createrole`)
      await admin.query(`alter database ${temp.name} owner to ${owner}`)
      const url = new URL(temp.url)
      url.username = owner
      db = await createPostgresDatabase({ url: url.toString(), poolSize: 1 })
      expect(await bootstrapDatabase(db)).toEqual({ warnings: [NO_EVENT_TRIGGER_WARNING] })
      expect(await db.query(`select count(*)::int as n from pg_event_trigger`)).toEqual([{ n: 0 }])
      expect(await db.query(`select auth.user_id() as sub`)).toEqual([{ sub: null }])
    } finally {
      await db?.close()
      await temp.drop()
      await admin.query(`drop role if exists ${owner}`)
      await admin.end()
    }
  })
})
