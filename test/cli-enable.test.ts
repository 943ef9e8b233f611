/**
 * `data-api create` on a fresh PostgreSQL database, as a user runs it: the CLI as a child process,
 * then the getting-started example against a server (also a child process) that connects as
 * `authenticator` with the password create printed and verifies tokens with the identity provider
 * create recorded. Creating again is refused and changes nothing; `data-api status` warns about a
 * table without row-level security; `data-api delete` turns the API off and keeps the data.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { promisify } from 'node:util'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sign, signingKey, startJwksServer, type JwksServer, type SigningKey } from './support/jwks-server.js'
import { cleanEnv } from './support/clean-env.js'
import { createTempPostgres, databaseUrl, type TempPostgres } from './support/temp-postgres.js'
import { POSTS } from './support/posts.js'

const run = promisify(execFile)
const ROOT = new URL('..', import.meta.url).pathname
const AUDIENCE = 'posts-app'

async function cli(args: string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: cleanEnv(env),
    timeout: 120_000,
  })
  return stdout
}

async function cliFailure(args: string[]): Promise<{ code: number; stderr: string }> {
  return cli(args).then(
    () => ({ code: 0, stderr: '' }),
    (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
  )
}

/** Starts `data-api serve` and resolves with its REST base URL once it serves. */
function serve(env: Record<string, string>): Promise<{ child: ChildProcess; base: string; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], { cwd: ROOT, env: cleanEnv(env) })
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 90_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const m = /at (http:\/\/\S+\/rest\/v1)/.exec(output)
      if (m) {
        clearTimeout(timer)
        resolve({ child, base: m[1]!, output: () => output })
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`server exited (${code}):\n${output}`))
    })
  })
}

const GETTING_STARTED = `
${POSTS}
create table todos (id int primary key, title text);
`

describe.skipIf(!databaseUrl)('data-api create on a fresh PostgreSQL database', () => {
  let temp: TempPostgres
  let owner: pg.Client
  let provider: JwksServer
  let key: SigningKey
  let first = ''
  let server: Awaited<ReturnType<typeof serve>> | undefined

  const snapshot = async () => ({
    authenticator: (
      await owner.query(`select rolcanlogin, rolinherit, rolpassword,
        pg_has_role('authenticator', 'authenticated', 'MEMBER') as a, pg_has_role('authenticator', 'anonymous', 'MEMBER') as b
        from pg_authid where rolname = 'authenticator'`)
    ).rows,
    settings: (await owner.query('select key, value, updated_at from data_api.settings order by key')).rows,
    grants: (
      await owner.query(`select grantee, table_name, privilege_type from information_schema.role_table_grants
        where grantee in ('authenticated', 'anonymous', 'authenticator') order by 1, 2, 3`)
    ).rows,
    defaults: (await owner.query('select defaclrole::regrole::text, defaclacl::text from pg_default_acl order by 1')).rows,
    functions: (await owner.query(`select oid::regprocedure::text, prosrc from pg_proc where pronamespace = 'auth'::regnamespace order by 1`)).rows,
    triggers: (await owner.query('select evtname, evtenabled from pg_event_trigger order by 1')).rows,
  })

  const enableArgs = (extra: string[] = []) => [
    'create',
    '--database-url',
    temp.url,
    '--add-default-grants',
    '--auth-provider',
    'external',
    '--jwks-url',
    provider.url,
    '--jwt-audience',
    AUDIENCE,
    ...extra,
  ]

  beforeAll(async () => {
    temp = (await createTempPostgres('dapi_cli'))!
    owner = new pg.Client({ connectionString: temp.url })
    await owner.connect()
    key = await signingKey('RS256')
    provider = await startJwksServer([key])
    first = await cli(enableArgs(['--reset-authenticator-password']))
  })
  afterAll(async () => {
    server?.child.kill('SIGTERM')
    await owner?.end()
    await provider?.stop()
    await temp?.drop()
  })

  it('prints the password once, with the connection string to serve with', () => {
    expect(first).toContain(`Data API enabled: http://127.0.0.1:3000/${temp.name}/rest/v1`)
    expect(first).toMatch(/Password of role authenticator \(shown once, store it now\): [A-Za-z0-9_-]{32}\n/)
    expect(first).toMatch(/DATABASE_URL='postgres:\/\/authenticator:[A-Za-z0-9_-]{32}@[^']+' data-api serve/)
    expect(first).toContain('Granted role authenticated the use of schema public:\n  GRANT USAGE ON SCHEMA public TO authenticated;')
  })

  it('serves the getting-started example to tokens of the identity provider', async () => {
    await owner.query(GETTING_STARTED)
    const url = /DATABASE_URL='([^']+)'/.exec(first)![1]!
    server = await serve({ DATABASE_URL: url, PORT: '0', DATA_API_LOG_LEVEL: 'info' })
    expect(server.output()).toContain(`JWKS fetched: 1 key`)
    const api = server.base
    const alice = await sign(key, { sub: 'alice' }, { audience: AUDIENCE })
    const bob = await sign(key, { sub: 'bob' }, { audience: AUDIENCE })
    const post = (token: string, body: unknown) =>
      fetch(`${api}/posts`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
    expect((await post(alice, { content: 'Alice draft' })).status).toBe(201)
    expect((await post(bob, { content: 'Bob public', is_published: true })).status).toBe(201)
    const read = async (token: string) =>
      ((await (await fetch(`${api}/posts?select=content,user_id&order=id`, { headers: { Authorization: `Bearer ${token}` } })).json()) as unknown[])
    expect(await read(alice)).toEqual([
      { content: 'Alice draft', user_id: 'alice' },
      { content: 'Bob public', user_id: 'bob' },
    ])
    expect(await read(bob)).toEqual([{ content: 'Bob public', user_id: 'bob' }])
    const hack = await fetch(`${api}/posts?content=eq.Alice%20draft`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${bob}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ content: 'hacked' }),
    })
    expect(hack.status).toBe(204)
    expect((await owner.query(`select content from posts where user_id = 'alice'`)).rows).toEqual([{ content: 'Alice draft' }])
    // no token: anonymous, which was granted nothing
    expect((await fetch(`${api}/posts`)).status).toBe(401)
    // a token for another audience
    expect((await fetch(`${api}/posts`, { headers: { Authorization: `Bearer ${await sign(key, { sub: 'alice' }, { audience: 'x' })}` } })).status).toBe(401)
  })

  it('refuses to create twice, answering the URL, and changes nothing', async () => {
    const before = await snapshot()
    const again = await cliFailure(enableArgs())
    expect(again.code).toBe(1)
    expect(again.stderr).toBe(`ERROR: The Data API is already enabled for database "${temp.name}".\nURL: http://127.0.0.1:3000/${temp.name}/rest/v1\n`)
    expect(await snapshot()).toEqual(before)
  })

  it('shows the settings and warns about a table without row-level security', async () => {
    const status = await cli(['status', '--database-url', temp.url])
    expect(status).toContain('Data API: enabled')
    expect(status).toContain('WARNING: 1 table in the exposed schemas has row-level security disabled.')
    expect(status).toContain('  public.todos  (granted to authenticated)')
    expect(status).not.toContain('public.posts')
    const json = JSON.parse(await cli(['status', '--output', 'json'], { DATABASE_URL: temp.url })) as { enabled: boolean; rlsDisabled: unknown[] }
    expect(json).toMatchObject({ enabled: true, rlsDisabled: [{ schema: 'public', name: 'todos', grantedTo: ['authenticated'] }] })
    const got = JSON.parse(await cli(['get', '--database-url', temp.url, '--output', 'json'])) as { auth: unknown; setting_sources: Record<string, string> }
    expect(got.auth).toEqual({ provider: 'external', jwks_url: provider.url, jwt_audience: [AUDIENCE], jwt_issuer: null })
    expect(got.setting_sources).toMatchObject({ jwks: 'database', db_schemas: 'default' })
  })

  it('disables the API (the running server answers 404) and keeps the data', async () => {
    expect(await cli(['delete', '--database-url', temp.url])).toContain('Data API disabled: its URL answers 404.')
    const token = await sign(key, { sub: 'alice' }, { audience: AUDIENCE })
    const deadline = Date.now() + 10_000
    let status = 0
    while (Date.now() < deadline && (status = (await fetch(`${server!.base}/posts`, { headers: { Authorization: `Bearer ${token}` } })).status) !== 404) {
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(status).toBe(404)
    expect(await cli(['status', '--database-url', temp.url])).toContain('Data API: disabled (data-api create enables it)')
    expect((await owner.query('select count(*)::int as n from posts')).rows).toEqual([{ n: 2 }])
    // enabling again starts from the default settings: the provider is given again
    await cli(enableArgs())
    const back = Date.now() + 10_000
    while (Date.now() < back && (status = (await fetch(`${server!.base}/posts`, { headers: { Authorization: `Bearer ${token}` } })).status) !== 200) {
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(status).toBe(200)
  })
})
