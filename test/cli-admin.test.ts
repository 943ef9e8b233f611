/**
 * The management commands as a user runs them (the CLI spawned): SQL given every way (an argument that
 * starts with a comment, -c, a file, standard input), --output json, settings flags that merge, the
 * one-line errors, `token` following the database's settings, --version and the examples in --help.
 * First against a running embedded server (the CLI finds it through the data folder), then with no
 * server (the CLI opens the data folder itself).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanEnv } from './support/clean-env.js'

const run = promisify(execFile)
const CLI = ['--import', 'tsx', 'src/cli/main.ts']

describe('the management commands on the embedded database', { timeout: 240_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'data-api-cli-admin-'))
  const env = cleanEnv({ DATA_API_DIR: dir, PORT: '0', DATA_API_LOG_LEVEL: 'warn' })
  let server: ChildProcess | undefined
  let url = ''

  const cli = async (args: string[], input?: string): Promise<string> => {
    if (input === undefined) return (await run(process.execPath, [...CLI, ...args], { env, cwd: process.cwd(), timeout: 120_000 })).stdout
    return new Promise((resolve, reject) => {
      const child = execFile(process.execPath, [...CLI, ...args], { env, cwd: process.cwd(), timeout: 120_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)))
      child.stdin!.end(input)
    })
  }
  const failure = (args: string[]) =>
    cli(args).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
    )

  beforeAll(async () => {
    server = spawn(process.execPath, [...CLI, 'serve'], { env, cwd: process.cwd(), stdio: 'ignore' })
    const info = join(dir, 'server.json')
    const deadline = Date.now() + 90_000
    while (!existsSync(info)) {
      if (Date.now() > deadline) throw new Error('server did not start')
      await new Promise((r) => setTimeout(r, 100))
    }
    url = (JSON.parse(readFileSync(info, 'utf8')) as { url: string }).url
  })

  afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM')
      await new Promise((r) => server!.once('exit', r))
    }
    rmSync(dir, { recursive: true, force: true })
  })

  it('takes SQL that starts with a comment, -c, a file and standard input', async () => {
    expect(await cli(['sql', '-- the guide starts with a comment\ncreate table notes (id int primary key, body text)'])).toBe('CREATE\n')
    expect(await cli(['sql', '-c', "insert into notes values (1, 'one'), (2, 'two')"])).toBe('INSERT 2\n')
    const file = join(dir, 'more.sql')
    writeFileSync(file, "insert into notes values (3, 'three');\n")
    expect(await cli(['sql', '--file', file])).toBe('INSERT 1\n')
    expect(await cli(['sql', '-'], 'select count(*) as n from notes')).toBe(' n\n---\n 3\n(1 row)\n')
    const json = JSON.parse(await cli(['query', 'select id, body from notes order by id limit 2', '--output', 'json'])) as { results: unknown[] }
    expect(json.results).toEqual([{ fields: ['id', 'body'], rows: [{ id: '1', body: 'one' }, { id: '2', body: 'two' }], command: 'SELECT', rowCount: 2 }])
  })

  it('fails with one line and status 1', async () => {
    expect(await failure(['sql', 'select * from nowhere'])).toEqual({ code: 1, stderr: 'ERROR: relation "nowhere" does not exist (42P01)\n' })
    expect(await failure(['update'])).toEqual({
      code: 1,
      stderr: 'ERROR: No settings given. Pass at least one setting to update, or use refresh-schema to reload the schema cache.\n',
    })
    expect(await failure(['update', '--db-max-rows', 'many'])).toEqual({ code: 1, stderr: '--db-max-rows: expected a number, got "many"\n' })
    expect(await failure(['get', '--database', 'nope'])).toEqual({ code: 1, stderr: 'ERROR: Database "nope" does not exist on branch main.\n' })
  })

  it('merges settings flags with the current settings, and shows where each value comes from', async () => {
    expect(await cli(['update', '--db-max-rows', '2'])).toBe('Settings updated; every server applies them on its next request. Schema cache refreshed.\n')
    await cli(['update', '--server-timing-enabled', 'true', '--db-schemas', 'public'])
    const got = JSON.parse(await cli(['get', '--output', 'json'])) as { settings: Record<string, unknown>; setting_sources: Record<string, string> }
    expect(got.settings).toMatchObject({ db_max_rows: 2, server_timing_enabled: true, db_schemas: ['public'] })
    expect(got.setting_sources).toMatchObject({ db_max_rows: 'database', db_anon_role: 'default' })
    const yaml = await cli(['get', '--output', 'yaml'])
    expect(yaml).toContain('  db_max_rows: 2\n')
    await cli(['sql', 'grant usage on schema public to anonymous; grant select on notes to anonymous'])
    expect(await (await fetch(`${url}/neondb/rest/v1/notes?order=id`)).json()).toEqual([
      { id: 1, body: 'one' },
      { id: 2, body: 'two' },
    ])
    await cli(['update', '--replace', '--db-schemas', 'public'])
    expect(((await (await fetch(`${url}/neondb/rest/v1/notes`)).json()) as unknown[]).length).toBe(3)
  })

  it('mints tokens that follow the database’s role claim key', async () => {
    await cli(['sql', `create role cli_editor nologin; grant cli_editor to authenticator; grant usage on schema public to cli_editor;
      create view whoami as select current_user::text as who; grant select on whoami to cli_editor, authenticated`])
    await cli(['update', '--jwt-role-claim-key', '.app_metadata.role'])
    const token = (await cli(['token', '--sub', 'ada', '--role', 'cli_editor'])).trim()
    const res = await fetch(`${url}/neondb/rest/v1/whoami`, { headers: { Authorization: `Bearer ${token}` } })
    expect(await res.json()).toEqual([{ who: 'cli_editor' }])
  })

  it('lists tables with their row-level security, and advisors with the fix', async () => {
    const tables = await cli(['tables'])
    expect(tables).toMatch(/^table\s+kind\s+rls\s+policies\s+rows \(est\.\)\s+exposed\n/)
    expect(tables).toMatch(/public\.notes\s+table\s+OFF\s+0/)
    const advisors = await cli(['advisors', '--min-severity', 'ERROR'])
    expect(advisors).toContain('ERROR  RLS Disabled in Public: Table `public.notes` is public, but RLS has not been enabled.\n       fix: ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;')
    expect(await cli(['enable-rls', 'notes', '--output', 'json'])).toContain('"rls_enabled": true')
  })

  it('generates the Database type, and prints the Postgres URL the embedded database is reachable at', async () => {
    const file = join(dir, 'database.ts')
    expect(await cli(['gen', 'types', '--schema', 'public', '--output', file])).toBe('')
    const types = readFileSync(file, 'utf8')
    expect(types).toContain('export type Database = {')
    expect(types).toMatch(/notes: \{\s+Row: \{\s+id: number\s+body: string \| null/)
    expect(await cli(['gen', 'types'])).toBe(types)
    const wire = (await cli(['connection-string'])).trim()
    expect(wire).toMatch(/^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/postgres\?sslmode=disable$/)
    const psql = await run('psql', [wire, '-Atc', 'select count(*) from notes'], { timeout: 60_000 })
    expect(psql.stdout).toBe('3\n')
  })

  it('prints its version, and examples in every --help', async () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }
    expect(await cli(['--version'])).toBe(`${pkg.version}\n`)
    for (const command of [['--help'], ['create', '--help'], ['sql', '--help'], ['auth', 'users', 'list', '--help'], ['token', '--help'], ['connection-string', '--help']]) {
      expect(await cli(command)).toContain('Examples:')
    }
  })

  it('works on the data folder directly once the server has stopped', async () => {
    server!.kill('SIGTERM')
    await new Promise((r) => server!.once('exit', r))
    expect(existsSync(join(dir, 'server.json'))).toBe(false)
    expect(await failure(['connection-string'])).toEqual({
      code: 1,
      stderr: `No data-api server is running on ${dir}: start it with data-api serve (tools reach the embedded database through it).\n`,
    })
    const got = JSON.parse(await cli(['get', '--output', 'json'])) as { settings: Record<string, unknown>; url: string }
    expect(got.settings).toMatchObject({ db_schemas: ['public'], jwt_role_claim_key: '.app_metadata.role' })
    expect(got.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/neondb\/rest\/v1$/)
  })
})
