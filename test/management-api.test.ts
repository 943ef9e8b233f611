/**
 * The management API at /api/v2, driven with the official @neondatabase/api-client where it has the
 * route, and with fetch for data-api's own routes (sql, tables, enable-rls): the Data API of a
 * database from create to delete, settings that apply on the next request, identity providers,
 * advisors, and every kind of bad input answered with a 4xx and its message.
 */
import { randomBytes } from 'node:crypto'
import { createApiClient, type Api } from '@neondatabase/api-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

type Failure = { status: number; data: Record<string, unknown> }

async function failure(promise: Promise<unknown>): Promise<Failure> {
  try {
    await promise
  } catch (err) {
    const response = (err as { response?: { status: number; data: Record<string, unknown> } }).response
    if (response) return { status: response.status, data: response.data }
    throw err
  }
  throw new Error('expected the call to fail')
}

describe.each(backends)('the management API on %s', (backend) => {
  let s: TestServer
  let api: Api<unknown>
  const shop = `shop_${randomBytes(4).toString('hex')}`
  let admin: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: Record<string, unknown> }>

  beforeAll(async () => {
    s = await startTestServer(backend, { maxOpenDatabases: 5 })
    api = createApiClient({ apiKey: s.app.adminKey!, baseURL: `${s.app.url}/api/v2` })
    admin = async (method, path, body) => {
      const res = await fetch(`${s.app.url}/api/v2${path}`, {
        method,
        headers: { Authorization: `Bearer ${s.app.adminKey}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      return { status: res.status, body: (await res.json()) as Record<string, unknown> }
    }
  })
  afterAll(async () => {
    await api?.deleteProjectBranchDatabase('local', 'main', shop).catch(() => undefined)
    await s?.close()
  })

  it('describes the server as one project with a main branch and its databases', async () => {
    const project = (await api.getProject('local')).data.project
    expect(project).toMatchObject({ id: 'local', region_id: 'local', pg_version: expect.any(Number) })
    expect((await api.listProjects({})).data.projects.map((p) => p.id)).toEqual(['local'])
    const branches = (await api.listProjectBranches({ projectId: 'local' })).data.branches
    expect(branches.map((b) => [b.id, b.name, b.default])).toEqual([['main', 'main', true]])
    const databases = (await api.listProjectBranchDatabases('local', 'main')).data.databases
    expect(databases[0]).toMatchObject({ name: s.app.db.name, branch_id: 'main' })
    expect((await failure(api.getProject('other'))).status).toBe(404)
  })

  it('creates a database, enables its Data API, serves it at once, and refuses a second create', async () => {
    const created = await api.createProjectBranchDatabase('local', 'main', { database: { name: shop, owner_name: 'postgres' } })
    expect(created.status).toBe(201)
    expect(created.data.database).toMatchObject({ name: shop, branch_id: 'main' })
    expect(await failure(api.getProjectBranchDataApi('local', 'main', shop))).toEqual({
      status: 404,
      data: { code: 'NOT_FOUND', message: `The Data API is not enabled for database "${shop}" on branch main. Create it first (data-api create).` },
    })
    expect((await fetch(`${s.app.url}/${shop}/rest/v1/`)).status).toBe(404)

    const enabled = await api.createProjectBranchDataApi('local', 'main', shop, { add_default_grants: true, settings: { db_max_rows: 50 } })
    expect(enabled.status).toBe(201)
    expect(enabled.data).toEqual({
      url: `${s.app.url}/${shop}/rest/v1`,
      grants: [
        'GRANT USAGE ON SCHEMA public TO authenticated;',
        'GRANT SELECT, UPDATE, INSERT, DELETE ON ALL TABLES IN SCHEMA public TO authenticated;',
        'ALTER DEFAULT PRIVILEGES IN SCHEMA public\nGRANT SELECT, UPDATE, INSERT, DELETE ON TABLES TO authenticated;',
        'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO authenticated;',
      ],
    })
    const again = await failure(api.createProjectBranchDataApi('local', 'main', shop, {}))
    expect(again).toEqual({
      status: 409,
      data: { code: 'CONFLICT', message: `The Data API is already enabled for database "${shop}".`, url: `${s.app.url}/${shop}/rest/v1` },
    })

    const sql = await admin('POST', `/projects/local/branches/main/databases/${shop}/sql`, {
      sql: 'create table items (id int primary key, name text); insert into items select g, $$item $$ || g from generate_series(1, 5) g; grant select on items to anonymous;',
    })
    expect(sql.status).toBe(200)
    expect(sql.body.results).toEqual([
      { fields: [], rows: [], command: 'CREATE', rowCount: null },
      { fields: [], rows: [], command: 'INSERT', rowCount: 5 },
      { fields: [], rows: [], command: 'GRANT', rowCount: null },
    ])
    const rest = await fetch(`${s.app.url}/${shop}/rest/v1/items?select=id&order=id`)
    expect(rest.status).toBe(200)
    expect(await rest.json()).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }, { id: 5 }])
  })

  it('shows the settings with their sources, applies a PATCH on the very next request, and refreshes on {}', async () => {
    const got = (await api.getProjectBranchDataApi('local', 'main', shop)).data as unknown as Record<string, unknown>
    expect(got).toMatchObject({
      url: `${s.app.url}/${shop}/rest/v1`,
      status: 'active',
      settings: { db_schemas: ['public'], db_max_rows: 50, db_anon_role: 'anonymous', jwt_role_claim_key: '.role', openapi_mode: 'follow-privileges' },
      available_schemas: expect.arrayContaining(['auth', 'public']),
      setting_sources: { db_max_rows: 'database', db_schemas: 'default' },
    })
    const patched = await api.updateProjectBranchDataApi('local', 'main', shop, { settings: { db_max_rows: 1, server_timing_enabled: true } })
    expect([patched.status, patched.data]).toEqual([201, {}])
    const res = await fetch(`${s.app.url}/${shop}/rest/v1/items?order=id`)
    expect(await res.json()).toEqual([{ id: 1, name: 'item 1' }])
    expect(res.headers.get('server-timing')).toMatch(/^jwt;dur=/)
    // the hosted PATCH replaces: settings not given go back to their defaults
    await api.updateProjectBranchDataApi('local', 'main', shop, { settings: { db_max_rows: 2 } })
    const replaced = (await api.getProjectBranchDataApi('local', 'main', shop)).data.settings
    expect(replaced).toMatchObject({ db_max_rows: 2, server_timing_enabled: false })
    // {} only refreshes the schema cache
    await admin('POST', `/projects/local/branches/main/databases/${shop}/sql`, { sql: 'create table later (id int); grant select on later to anonymous;' })
    expect([(await api.updateProjectBranchDataApi('local', 'main', shop, {})).status]).toEqual([201])
    expect((await fetch(`${s.app.url}/${shop}/rest/v1/later`)).status).toBe(200)
  })

  it('answers bad input with 400 and the path of each bad field, never a 500', async () => {
    const external = await failure(api.createProjectBranchDataApi('local', 'main', s.app.db.name, { auth_provider: 'external' }))
    expect(external).toEqual({ status: 400, data: { code: 'INVALID_REQUEST', message: 'jwks_url is required when auth_provider is "external"' } })
    const bad = await admin('PATCH', `/projects/local/branches/main/data-api/${shop}`, { settings: { db_max_rows: 'many', nope: true } })
    expect(bad.status).toBe(400)
    expect(bad.body.errors).toEqual([
      { path: 'settings.db_max_rows', message: expect.any(String) },
      { path: 'settings', message: expect.stringContaining('nope') },
    ])
    expect(await admin('POST', `/projects/local/branches/main/data-api/bad$name`, {})).toMatchObject({
      status: 400,
      body: { errors: [{ path: 'database_name', message: 'must be 1-63 letters, digits, _ or - (not starting with -)' }] },
    })
    const notJson = await fetch(`${s.app.url}/api/v2/projects/local/branches/main/data-api/${shop}`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${s.app.adminKey}` },
      body: '{',
    })
    expect([notJson.status, await notJson.json()]).toEqual([400, { code: 'INVALID_REQUEST', message: 'The request body is not valid JSON.' }])
    expect(await admin('GET', '/projects/local/nothing-here')).toEqual({
      status: 404,
      body: { code: 'NOT_FOUND', message: 'No management route GET /api/v2/projects/local/nothing-here' },
    })
    const wrongMethod = await fetch(`${s.app.url}/api/v2/projects/local/jwks`, { method: 'PUT', headers: { Authorization: `Bearer ${s.app.adminKey}` } })
    expect([wrongMethod.status, wrongMethod.headers.get('allow')]).toEqual([405, 'GET, POST'])
    expect((await fetch(`${s.app.url}/api/v2/projects`)).status).toBe(401)
    expect((await fetch(`${s.app.url}/api/v2/projects`, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401)
    expect(await admin('POST', `/projects/local/branches/main/databases/${shop}/sql`, { sql: 'select * from nowhere' })).toEqual({
      status: 400,
      body: { code: '42P01', message: 'relation "nowhere" does not exist', detail: null, hint: null, position: 15 },
    })
  })

  it('manages identity providers: add, list, refuse a second, remove', async () => {
    const added = await api.addProjectJwks('local', {
      jwks_url: 'https://id.example.com/.well-known/jwks.json',
      provider_name: 'Example',
      jwt_audience: 'shop-app',
      branch_id: 'main',
    })
    expect(added.status).toBe(201)
    const jwks = added.data.jwks
    expect(jwks).toMatchObject({ project_id: 'local', branch_id: 'main', jwks_url: 'https://id.example.com/.well-known/jwks.json', provider_name: 'Example', jwt_audience: 'shop-app' })
    expect((await api.getProjectJwks('local')).data.jwks.map((j) => j.id)).toEqual([jwks.id])
    expect((await failure(api.addProjectJwks('local', { jwks_url: 'https://other.example.com/jwks', provider_name: 'Other' }))).status).toBe(409)
    const got = (await api.getProjectBranchDataApi('local', 'main', s.app.db.name)).data as unknown as { auth: Record<string, unknown> }
    expect(got.auth).toMatchObject({ jwks_url: 'https://id.example.com/.well-known/jwks.json', jwt_audience: ['shop-app'] })
    expect((await api.deleteProjectJwks('local', jwks.id)).data.id).toBe(jwks.id)
    expect((await api.getProjectJwks('local')).data.jwks).toEqual([])
    expect((await failure(api.deleteProjectJwks('local', jwks.id))).status).toBe(404)
  })

  it('lists tables, enables RLS on one, and the advisor finding goes away', async () => {
    const advisors = async () =>
      ((await api.getProjectAdvisorSecurityIssues({ projectId: 'local', database_name: shop, category: 'SECURITY' as never })).data as { issues: { name: string; detail: string; sql?: string }[] }).issues
    const before = await advisors()
    expect(before).toContainEqual(
      expect.objectContaining({ name: 'rls_disabled_in_public', detail: 'Table `public.items` is public, but RLS has not been enabled.', sql: 'ALTER TABLE public.items ENABLE ROW LEVEL SECURITY;' }),
    )
    const tables = await admin('GET', `/projects/local/branches/main/databases/${shop}/tables?schemas=public`)
    expect((tables.body.tables as { name: string; rls_enabled: boolean; exposed: boolean }[]).find((t) => t.name === 'items')).toMatchObject({
      rls_enabled: false,
      exposed: true,
      has_primary_key: true,
      columns: [
        { name: 'id', type: 'integer', nullable: false, default: null },
        { name: 'name', type: 'text', nullable: true, default: null },
      ],
    })
    const enabled = await admin('POST', `/projects/local/branches/main/databases/${shop}/tables/public/items/enable-rls`)
    expect(enabled).toEqual({ status: 200, body: { schema: 'public', table: 'items', rls_enabled: true, sql: 'ALTER TABLE public.items ENABLE ROW LEVEL SECURITY;' } })
    const after = await advisors()
    expect(after.filter((i) => i.name === 'rls_disabled_in_public' && i.detail.includes('public.items'))).toEqual([])
    expect(after).toContainEqual(expect.objectContaining({ name: 'rls_enabled_no_policy', detail: 'Table `public.items` has RLS enabled, but no policies exist.' }))
    expect((await admin('POST', `/projects/local/branches/main/databases/${shop}/tables/public/nothing/enable-rls`)).status).toBe(404)
    const rows = await admin('GET', `/projects/local/branches/main/databases/${shop}/tables/public/items/rows?limit=2&offset=1`)
    expect(rows.body).toEqual({ columns: ['id', 'name'], rows: [{ id: 2, name: 'item 2' }, { id: 3, name: 'item 3' }], total: 5, limit: 2, offset: 1 })
  })

  it('suggests a primary key that fits the table: its id column, or a new one', async () => {
    await admin('POST', `/projects/local/branches/main/databases/${shop}/sql`, { sql: 'create table keyless_with_id (id int, v text); create table keyless (v text);' })
    const issues = ((await api.getProjectAdvisorSecurityIssues({ projectId: 'local', database_name: shop, category: 'PERFORMANCE' as never })).data as {
      issues: { name: string; detail: string; sql?: string }[]
    }).issues.filter((i) => i.name === 'no_primary_key')
    expect(issues).toContainEqual(
      expect.objectContaining({ detail: 'Table `public.keyless_with_id` does not have a primary key.', sql: 'ALTER TABLE public.keyless_with_id ADD PRIMARY KEY (id);' }),
    )
    expect(issues).toContainEqual(
      expect.objectContaining({
        detail: 'Table `public.keyless` does not have a primary key.',
        sql: 'ALTER TABLE public.keyless ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;',
      }),
    )
    await admin('POST', `/projects/local/branches/main/databases/${shop}/sql`, { sql: 'drop table keyless_with_id, keyless;' })
  })

  it('finds a policy that calls auth functions per row, even beside a wrapped call', async () => {
    await admin('POST', `/projects/local/branches/main/databases/${shop}/sql`, {
      sql: `create table docs (id int primary key, user_id text, team text);
        alter table docs enable row level security;
        create policy wrapped on docs using ((select auth.user_id()) = user_id or team = (select auth.jwt()) ->> 'team');
        create policy mixed on docs using ((select auth.user_id()) = user_id or team = auth.jwt() ->> 'team');`,
    })
    const flagged = ((await api.getProjectAdvisorSecurityIssues({ projectId: 'local', database_name: shop, category: 'PERFORMANCE' as never })).data as {
      issues: { name: string; detail: string }[]
    }).issues
      .filter((i) => i.name === 'auth_rls_initplan')
      .map((i) => i.detail)
    expect(flagged).toContain('Policy "mixed" on `public.docs` re-evaluates an auth.*() call for each row.')
    expect(flagged.filter((d) => d.includes('"wrapped"'))).toEqual([])
    await admin('POST', `/projects/local/branches/main/databases/${shop}/sql`, { sql: 'drop table docs;' })
  })

  it('runs read-only queries that cannot write', async () => {
    const read = await admin('POST', `/projects/local/branches/main/databases/${shop}/query`, { sql: 'select count(*) as n from items' })
    expect(read.body.results).toEqual([{ fields: ['n'], rows: [{ n: '5' }], command: 'SELECT', rowCount: 1 }])
    const write = await admin('POST', `/projects/local/branches/main/databases/${shop}/query`, { sql: 'delete from items' })
    expect(write).toMatchObject({ status: 400, body: { code: '25006', message: 'cannot execute DELETE in a read-only transaction' } })
    expect((await admin('POST', `/projects/local/branches/main/databases/${shop}/query`, { sql: "select set_config('transaction_read_only', 'off', false)" })).status).toBe(400)
  })

  it('disables the Data API (404 at once, idempotent) and enabling again starts from the defaults', async () => {
    expect((await api.deleteProjectBranchDataApi('local', 'main', shop)).data).toEqual({})
    expect((await api.deleteProjectBranchDataApi('local', 'main', shop)).status).toBe(200)
    const res = await fetch(`${s.app.url}/${shop}/rest/v1/items`)
    expect(res.status).toBe(404)
    expect((await failure(api.getProjectBranchDataApi('local', 'main', shop))).status).toBe(404)
    await api.createProjectBranchDataApi('local', 'main', shop, {})
    expect((await api.getProjectBranchDataApi('local', 'main', shop)).data.settings).toMatchObject({ db_max_rows: null })
    expect((await fetch(`${s.app.url}/${shop}/rest/v1/items`)).status).toBe(200)
  })
})

describe('a setting the environment pins', () => {
  it('is shown with its variable and cannot be changed', async () => {
    const s = await startTestServer('pglite', { maxRows: 7 })
    try {
      const api = createApiClient({ apiKey: s.app.adminKey!, baseURL: `${s.app.url}/api/v2` })
      const got = (await api.getProjectBranchDataApi('local', 'main', s.app.db.name)).data as unknown as Record<string, Record<string, unknown>>
      expect([got.settings!.db_max_rows, got.setting_sources!.db_max_rows]).toEqual([7, 'environment (override)'])
      expect(await failure(api.updateProjectBranchDataApi('local', 'main', s.app.db.name, { settings: { db_max_rows: 1 } }))).toEqual({
        status: 400,
        data: {
          code: 'INVALID_REQUEST',
          message: 'Invalid settings: db_max_rows is fixed by the configuration this server was started with',
          errors: [{ path: 'settings.db_max_rows', message: 'is fixed by the configuration this server was started with' }],
        },
      })
    } finally {
      await s.close()
    }
  })
})
