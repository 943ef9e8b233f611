/**
 * docs/drizzle.md, run as written: its files (taken from the page's ```lang file=... blocks) and its
 * drizzle-kit commands (generate, a custom grants migration, migrate; then the pgPolicy variant),
 * then the two users of the guide through the API. On PostgreSQL drizzle-kit connects to the
 * server's database; on the embedded database, to the wire server started on the app's database.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWireServer, type WireServer } from '../src/db/wire-server.js'
import { eventually } from './support/eventually.js'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

const run = promisify(execFile)
const root = fileURLToPath(new URL('..', import.meta.url))
const guide = readFileSync(new URL('../docs/drizzle.md', import.meta.url), 'utf8')

/** The page's files: the body of each fenced block whose info string names `file=`, by name and variant. */
function guideFiles(): Map<string, string> {
  const files = new Map<string, string>()
  for (const match of guide.matchAll(/^```\w+ ([^\n]*)\n([\s\S]*?)^```$/gm)) {
    const attributes = Object.fromEntries([...match[1]!.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]]))
    if (attributes.file) files.set(attributes.variant ? `${attributes.file}#${attributes.variant}` : attributes.file, match[2]!)
  }
  return files
}

describe.each(backends)('the Drizzle guide on %s', (backend) => {
  let s: TestServer
  let wire: WireServer | undefined
  let dir: string
  let env: NodeJS.ProcessEnv
  const files = guideFiles()

  const write = (name: string, text: string) => {
    mkdirSync(dirname(join(dir, name)), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
  const drizzleKit = async (...args: string[]) => {
    const { stdout, stderr } = await run(join(root, 'node_modules', '.bin', 'drizzle-kit'), args, { cwd: dir, env })
    return `${stdout}${stderr}`
  }
  const migrations = () => readdirSync(join(dir, 'drizzle')).filter((f) => f.endsWith('.sql')).sort()

  const request = async (user: string, path: string, init: RequestInit = {}) =>
    s.request(path, { ...init, token: await s.token({ sub: user }), headers: { 'Content-Type': 'application/json', ...init.headers } })
  const contents = async (user: string) => {
    const res = await request(user, '/posts?select=content&order=id')
    expect(res.status).toBe(200)
    return ((await res.json()) as { content: string }[]).map((p) => p.content)
  }

  beforeAll(async () => {
    s = await startTestServer(backend)
    if (backend === 'pglite') wire = await startWireServer(s.app.db, { port: 0 })
    const url = wire?.url ?? s.app.config.databaseUrl!
    env = { ...process.env, DATABASE_URL: url }
    // below node_modules, so drizzle-kit and the schema resolve the project's packages
    const parent = join(root, 'node_modules', '.cache')
    mkdirSync(parent, { recursive: true })
    dir = mkdtempSync(join(parent, 'data-api-drizzle-'))
    write('package.json', JSON.stringify({ type: 'module', private: true }))
  })
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true })
    await wire?.close()
    await s?.close()
  })

  it('has the files the page names', () => {
    expect([...files.keys()].sort()).toEqual(['drizzle.config.ts', 'drizzle/0001_grants.sql', 'src/schema.ts', 'src/schema.ts#pgPolicy'])
  })

  it('generates, migrates, and the API serves each user what the policies allow', async () => {
    write('drizzle.config.ts', files.get('drizzle.config.ts')!)
    write('src/schema.ts', files.get('src/schema.ts')!)
    expect(await drizzleKit('generate')).toContain('Your SQL migration file')
    const [first] = migrations()
    const generated = readFileSync(join(dir, 'drizzle', first!), 'utf8')
    expect(generated).toContain('ALTER TABLE "posts" ENABLE ROW LEVEL SECURITY')
    for (const command of ['select', 'insert', 'update', 'delete']) expect(generated).toContain(`CREATE POLICY "crud-authenticated-policy-${command}"`)

    await drizzleKit('generate', '--custom', '--name=grants')
    expect(migrations()).toEqual([first, '0001_grants.sql'])
    write('drizzle/0001_grants.sql', files.get('drizzle/0001_grants.sql')!)
    expect(await drizzleKit('migrate')).toContain('migrations applied successfully')

    // the DDL event trigger reloads the schema cache; no reload by hand
    await eventually(async () => (await request('alice', '/posts')).status === 200)
    const aliceWrites = await request('alice', '/posts', {
      method: 'POST',
      body: JSON.stringify([
        { content: 'Alice draft', is_published: false },
        { content: 'Alice published', is_published: true },
      ]),
    })
    expect(aliceWrites.status).toBe(201)
    expect((await request('bob', '/posts', { method: 'POST', body: JSON.stringify({ content: 'Bob draft' }) })).status).toBe(201)

    expect(await contents('alice')).toEqual(['Alice draft', 'Alice published'])
    expect(await contents('bob')).toEqual(['Alice published', 'Bob draft'])

    const hijack = await request('bob', '/posts?content=eq.Alice%20published', {
      method: 'PATCH',
      headers: { Prefer: 'return=representation' },
      body: JSON.stringify({ content: 'hacked' }),
    })
    expect(hijack.status).toBe(200)
    expect(await hijack.json()).toEqual([])
    const forged = await request('bob', '/posts', { method: 'POST', body: JSON.stringify({ content: 'forged', user_id: 'alice' }) })
    expect(forged.status).toBe(403)
    expect(await forged.json()).toEqual({
      code: '42501',
      details: null,
      hint: null,
      message: 'new row violates row-level security policy for table "posts"',
    })
    const owners = await s.app.db.query<{ user_id: string }>('select user_id from posts order by id')
    expect(owners.map((r) => r.user_id)).toEqual(['alice', 'alice', 'bob'])
  })

  it('does the same with pgPolicy and authUid, in a new project', async () => {
    // a new project on an empty database: start again
    await s.app.db.exec('drop table posts; drop schema drizzle cascade')
    rmSync(join(dir, 'drizzle'), { recursive: true, force: true })
    write('src/schema.ts', files.get('src/schema.ts#pgPolicy')!)
    expect(await drizzleKit('generate')).toContain('Your SQL migration file')
    const [first] = migrations()
    const generated = readFileSync(join(dir, 'drizzle', first!), 'utf8')
    expect(generated).toContain('CREATE POLICY "read published or own" ON "posts" AS PERMISSIVE FOR SELECT TO "authenticated"')
    await drizzleKit('generate', '--custom', '--name=grants')
    write('drizzle/0001_grants.sql', files.get('drizzle/0001_grants.sql')!)
    expect(await drizzleKit('migrate')).toContain('migrations applied successfully')

    const policies = await s.app.db.query<{ policyname: string }>(`select policyname from pg_policies where tablename = 'posts' order by policyname`)
    expect(policies.map((p) => p.policyname)).toEqual(['delete own', 'insert own', 'read published or own', 'update own'])
    await eventually(async () => (await request('alice', '/posts')).status === 200)
    await request('alice', '/posts', {
      method: 'POST',
      body: JSON.stringify([
        { content: 'Alice draft', is_published: false },
        { content: 'Alice published', is_published: true },
      ]),
    })
    await request('bob', '/posts', { method: 'POST', body: JSON.stringify({ content: 'Bob draft' }) })
    expect(await contents('alice')).toEqual(['Alice draft', 'Alice published'])
    expect(await contents('bob')).toEqual(['Alice published', 'Bob draft'])
    const bobDeletes = await request('bob', '/posts?content=like.Alice*', { method: 'DELETE', headers: { Prefer: 'return=representation' } })
    expect(bobDeletes.status).toBe(200)
    expect(await bobDeletes.json()).toEqual([])
  })
})
