/**
 * Many databases and branches in one server: two databases each with its own data and settings, and
 * a branch that copies one of them — data, settings and auth users — served at its own URL, whose
 * changes never reach main (nor main's the branch), whose users sign in only there, and whose
 * deletion removes its URL. Driven with @neondatabase/api-client where the hosted API has the route.
 */
import { randomBytes } from 'node:crypto'
import { createApiClient, type Api } from '@neondatabase/api-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

async function failure(promise: Promise<unknown>): Promise<{ status: number; data: Record<string, unknown> }> {
  try {
    await promise
  } catch (err) {
    const response = (err as { response?: { status: number; data: Record<string, unknown> } }).response
    if (response) return response
    throw err
  }
  throw new Error('expected the call to fail')
}

const signUp = (base: string, email: string) =>
  fetch(`${base}/sign-up/email`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: new URL(base).origin },
    body: JSON.stringify({ email, password: 'correct-horse-battery', name: email }),
  })
const signIn = (base: string, email: string) =>
  fetch(`${base}/sign-in/email`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: new URL(base).origin },
    body: JSON.stringify({ email, password: 'correct-horse-battery' }),
  })

describe.each(backends)('databases and branches on %s', (backend) => {
  let s: TestServer
  let api: Api<unknown>
  const suffix = randomBytes(3).toString('hex')
  const shop = `shop_${suffix}`
  const dev = `dev-${suffix}`
  let main = ''
  let sql: (database: string, statements: string, branch?: string) => Promise<void>

  beforeAll(async () => {
    s = await startTestServer(backend, {}, {})
    main = s.app.db.name
    api = createApiClient({ apiKey: s.app.adminKey!, baseURL: `${s.app.url}/api/v2` })
    sql = async (database, statements, branch = 'main') => {
      const res = await fetch(`${s.app.url}/api/v2/projects/local/branches/${branch}/databases/${database}/sql`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${s.app.adminKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ sql: statements }),
      })
      if (!res.ok) throw new Error(`sql failed: ${res.status} ${await res.text()}`)
    }
    await sql(main, `create table notes (id int primary key, body text); insert into notes values (1, 'main note');
      grant usage on schema public to anonymous; grant select, insert on notes to anonymous;`)
    // the built-in auth service on main, with a user, before the branch is made (pglite: on already)
    const enabled = await fetch(`${s.app.url}/api/v2/projects/local/branches/main/auth`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${s.app.adminKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ auth_provider: 'better_auth' }),
    })
    expect([201, 409]).toContain(enabled.status)
    expect((await signUp(`${s.app.url}/${main}/auth`, 'before@example.com')).status).toBe(200)
    await api.createProjectBranchDatabase('local', 'main', { database: { name: shop, owner_name: 'postgres' } })
    await api.createProjectBranchDataApi('local', 'main', shop, { settings: { db_max_rows: 1 } })
    await sql(shop, `create table items (id int primary key); insert into items values (1), (2), (3); grant select on items to anonymous;`)
  })
  afterAll(async () => {
    await api?.deleteProjectBranch({ projectId: 'local', branchId: dev }).catch(() => undefined)
    await api?.deleteProjectBranchDatabase('local', 'main', shop).catch(() => undefined)
    await s?.close()
  })

  const get = async (path: string) => {
    const res = await fetch(`${s.app.url}${path}`)
    return { status: res.status, body: (await res.json()) as unknown }
  }

  it('serves two databases, each with its own data and settings', async () => {
    expect(await get(`/${main}/rest/v1/notes?select=body`)).toEqual({ status: 200, body: [{ body: 'main note' }] })
    // db_max_rows 1 applies to shop only
    expect(await get(`/${shop}/rest/v1/items?select=id&order=id`)).toEqual({ status: 200, body: [{ id: 1 }] })
    expect((await get(`/${main}/rest/v1/items`)).status).toBe(404)
  })

  it('creates a branch of main that copies its data, settings and auth users, at its own URL', async () => {
    const created = await api.createProjectBranch('local', { branch: { name: dev, parent_id: 'main' }, endpoints: [] } as never)
    expect(created.status).toBe(201)
    expect(created.data.branch).toMatchObject({ id: dev, name: dev, parent_id: 'main', current_state: 'ready', default: false })
    const branches = (await api.listProjectBranches({ projectId: 'local' })).data.branches.map((b) => b.name)
    expect(branches).toEqual(['main', dev])
    expect((await api.listProjectBranchDatabases('local', dev)).data.databases.map((d) => d.name)).toEqual([main])
    // the branch's copy is the branch's, not one more database of main
    const onMain = (await api.listProjectBranchDatabases('local', 'main')).data.databases.map((d) => d.name)
    expect(onMain).toContain(main)
    expect(onMain.filter((name) => name.startsWith('br_'))).toEqual([])
    // nor is it served under its store name on main: its settings, users and URL are the branch's
    const copy = `br_${dev}_${main}`
    const copyOnMain = await fetch(`${s.app.url}/${copy}/rest/v1/notes`)
    expect(copyOnMain.status).toBe(404)
    // the same answer as for a database that does not exist
    expect(await copyOnMain.json()).toEqual({
      code: 'PGRST125',
      details: `The Data API is not enabled for database "${copy}"`,
      hint: 'An operator can enable it with: data-api create --database <name>',
      message: 'Invalid path specified in request URL',
    })
    expect((await failure(api.getProjectBranchDataApi('local', 'main', copy))).status).toBe(404)
    expect(await get(`/branches/${dev}/${main}/rest/v1/notes?select=body`)).toEqual({ status: 200, body: [{ body: 'main note' }] })
    const got = (await api.getProjectBranchDataApi('local', dev, main)).data as unknown as { url: string }
    expect(got.url).toBe(`${s.app.url}/branches/${dev}/${main}/rest/v1`)
    expect(await failure(api.createProjectBranch('local', { branch: { name: dev } } as never))).toMatchObject({
      status: 409,
      data: { message: `Branch "${dev}" already exists.` },
    })
  })

  it('keeps changes on either side to that side, settings included', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${s.app.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
    expect((await post(`/branches/${dev}/${main}/rest/v1/notes`, { id: 2, body: 'branch note' })).status).toBe(201)
    expect((await post(`/${main}/rest/v1/notes`, { id: 3, body: 'later main note' })).status).toBe(201)
    expect(await get(`/branches/${dev}/${main}/rest/v1/notes?select=id&order=id`)).toEqual({ status: 200, body: [{ id: 1 }, { id: 2 }] })
    expect(await get(`/${main}/rest/v1/notes?select=id&order=id`)).toEqual({ status: 200, body: [{ id: 1 }, { id: 3 }] })
    await api.updateProjectBranchDataApi('local', dev, main, { settings: { db_max_rows: 1 } })
    expect(((await get(`/branches/${dev}/${main}/rest/v1/notes`)).body as unknown[]).length).toBe(1)
    expect(((await get(`/${main}/rest/v1/notes`)).body as unknown[]).length).toBe(2)
  })

  it('copies the auth users to the branch, and signs users of the branch in only on the branch', async () => {
    const auth = (path: string) => `${s.app.url}${path}/auth`
    expect((await signIn(auth(`/branches/${dev}/${main}`), 'before@example.com')).status).toBe(200)
    expect((await signUp(auth(`/branches/${dev}/${main}`), 'branch-only@example.com')).status).toBe(200)
    const onBranch = await signIn(auth(`/branches/${dev}/${main}`), 'branch-only@example.com')
    expect(onBranch.status).toBe(200)
    expect(onBranch.headers.get('set-cookie')).toContain(`Path=/branches/${dev}/${main}/auth`)
    expect((await signIn(auth(`/${main}`), 'branch-only@example.com')).status).toBe(401)
  })

  it('resets a branch to its parent, and deletes it: its URL answers 404', async () => {
    const reset = await api.restoreProjectBranch('local', dev, { source_branch_id: 'main' })
    expect(reset.status).toBe(200)
    expect(await get(`/branches/${dev}/${main}/rest/v1/notes?select=id&order=id`)).toEqual({ status: 200, body: [{ id: 1 }, { id: 3 }] })
    expect(await failure(api.deleteProjectBranch({ projectId: 'local', branchId: 'main' }))).toMatchObject({
      status: 400,
      data: { message: 'The main branch cannot be deleted.' },
    })
    const deleted = await api.deleteProjectBranch({ projectId: 'local', branchId: dev })
    expect(deleted.data.branch).toMatchObject({ id: dev })
    expect((await get(`/branches/${dev}/${main}/rest/v1/notes`)).status).toBe(404)
    expect((await api.listProjectBranches({ projectId: 'local' })).data.branches.map((b) => b.name)).toEqual(['main'])
    expect((await failure(api.getProjectBranch('local', dev))).status).toBe(404)
  })

  it('lets one of two concurrent creates of a name win, and the other gets 409', async () => {
    const name = `race-${suffix}`
    const results = await Promise.allSettled([1, 2].map(() => api.createProjectBranch('local', { branch: { name } } as never)))
    const statuses = results.map((r) => (r.status === 'fulfilled' ? r.value.status : (r.reason as { response: { status: number } }).response.status)).sort()
    expect(statuses).toEqual([201, 409])
    await api.deleteProjectBranch({ projectId: 'local', branchId: name })
  })

  it.runIf(backend === 'postgres')('leaves nothing behind when the copy fails (another session holds the parent)', async () => {
    const { default: pg } = await import('pg')
    // straight to PostgreSQL, in a transaction: behind a pooler an idle client holds no connection,
    // and the pooler's idle connections are closed for the copy
    const other = new pg.Client({ connectionString: s.app.config.databaseDirectUrl ?? s.app.config.databaseUrl })
    await other.connect()
    await other.query('begin')
    await other.query('select 1')
    try {
      const refused = await failure(api.createProjectBranch('local', { branch: { name: `busy-${suffix}` } } as never))
      expect(refused.status).toBe(409)
      expect(refused.data).toMatchObject({ code: 'DATABASE_IN_USE' })
      expect(String(refused.data.message)).toContain('PostgreSQL copies a database only when nobody is connected to it')
      const left = await other.query(`select count(*)::int as n from pg_database where datname like $1`, [`br_busy-${suffix}%`])
      expect(left.rows).toEqual([{ n: 0 }])
      await other.query('commit')
      expect((await api.listProjectBranches({ projectId: 'local' })).data.branches.map((b) => b.name)).toEqual(['main'])
    } finally {
      await other.end()
    }
    // the server serves main again
    expect((await get(`/${main}/rest/v1/notes?select=id&order=id`)).status).toBe(200)
  })

  it('refuses bad names and unknown parents with clear 4xx answers', async () => {
    expect(await failure(api.createProjectBranch('local', { branch: { name: '../etc' } } as never))).toMatchObject({ status: 400 })
    expect(await failure(api.createProjectBranch('local', { branch: { name: 'main' } } as never))).toMatchObject({
      status: 400,
      data: { errors: [{ path: 'branch.name', message: 'main is the project’s own branch' }] },
    })
    expect(await failure(api.createProjectBranch('local', { branch: { name: 'orphan', parent_id: 'nope' } } as never))).toMatchObject({
      status: 404,
      data: { message: 'Branch "nope" does not exist in this project.' },
    })
    expect((await api.listProjectBranches({ projectId: 'local' })).data.branches.map((b) => b.name)).toEqual(['main'])
  })
})

describe('a cap on open databases', { timeout: 300_000 }, () => {
  it('closes the least recently used idle database to open another, and every database still answers', async () => {
    const s = await startTestServer('pglite', { maxOpenDatabases: 2 })
    try {
      const api = createApiClient({ apiKey: s.app.adminKey!, baseURL: `${s.app.url}/api/v2` })
      for (const name of ['cap_a', 'cap_b', 'cap_c']) {
        await api.createProjectBranchDatabase('local', 'main', { database: { name, owner_name: 'postgres' } })
        await api.createProjectBranchDataApi('local', 'main', name, {})
      }
      for (const name of ['cap_a', 'cap_b', 'cap_c', 'cap_a']) {
        expect((await fetch(`${s.app.url}/${name}/rest/v1/`)).status).toBe(200)
        expect(s.app.host.openNames().length).toBeLessThanOrEqual(2)
      }
      expect(s.app.host.openNames()).toContain(s.app.db.name)
    } finally {
      await s.close()
    }
  })
})
