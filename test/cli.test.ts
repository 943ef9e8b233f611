/**
 * The README's getting-started flow, as a user runs it: start the embedded server, create the posts
 * table and its policies with `data-api sql`, mint tokens with `data-api token`, and query over HTTP.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { POSTS } from './support/posts.js'

const run = promisify(execFile)
const CLI = ['--import', 'tsx', 'src/cli/main.ts']

const GETTING_STARTED = `
${POSTS}
grant usage on schema public to authenticated, anonymous;
grant select, insert, update, delete on posts to authenticated;
insert into posts (user_id, content, is_published, created_at) values
  ('alice', 'Alice public', true, now() - interval '4 minutes'),
  ('alice', 'Alice draft', false, now() - interval '3 minutes'),
  ('bob', 'Bob public', true, now() - interval '2 minutes'),
  ('bob', 'Bob draft', false, now() - interval '1 minute');
`

describe('the data-api command line on the embedded database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'data-api-cli-'))
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_API_DIR: dir, PORT: '0', DATA_API_LOG_LEVEL: 'warn' }
  delete env.DATABASE_URL
  let server: ChildProcess | undefined
  let url = ''

  const cli = async (...args: string[]) => (await run('node', [...CLI, ...args], { env, cwd: process.cwd() })).stdout

  beforeAll(async () => {
    server = spawn('node', [...CLI, 'serve'], { env, cwd: process.cwd(), stdio: 'ignore' })
    const info = join(dir, 'server.json')
    const deadline = Date.now() + 60_000
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

  it('creates the getting-started table through the running server', async () => {
    const out = await cli('sql', GETTING_STARTED)
    expect(out.split('\n\n')).toEqual(['CREATE', 'ALTER', 'CREATE', 'CREATE', 'CREATE', 'CREATE', 'GRANT', 'GRANT', 'INSERT 4\n'])
    expect(await cli('sql', 'select count(*) as n from posts')).toBe(' n\n---\n 4\n(1 row)\n')
  })

  it('shows each token published posts plus only its own drafts', async () => {
    const alice = (await cli('token', '--sub', 'alice')).trim()
    const bob = (await cli('token', '--sub', 'bob')).trim()
    const get = async (token?: string) => {
      const res = await fetch(`${url}/neondb/rest/v1/posts?is_published=eq.true&order=created_at.desc`, {
        headers: token ? { Authorization: `Bearer ${token}` } : {},
      })
      return { status: res.status, body: (await res.json()) as { content: string }[] }
    }
    expect((await get(alice)).body.map((p) => p.content)).toEqual(['Bob public', 'Alice public'])
    const all = async (token: string) =>
      ((await (await fetch(`${url}/neondb/rest/v1/posts?order=created_at.desc`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { content: string }[]).map(
        (p) => p.content,
      )
    expect(await all(alice)).toEqual(['Bob public', 'Alice draft', 'Alice public'])
    expect(await all(bob)).toEqual(['Bob draft', 'Bob public', 'Alice public'])
    // anonymous was granted nothing on posts
    expect((await get()).status).toBe(401)
  })

  it('reports SQL errors with their code and exits non-zero', async () => {
    const failure = await cli('sql', 'select * from nowhere').then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    )
    expect(failure?.code).toBe(1)
    expect(failure?.stderr).toContain('relation "nowhere" does not exist (42P01)')
  })

  it('opens the data folder directly once the server has stopped', async () => {
    server!.kill('SIGTERM')
    // 0: the requests drained and the embedded database closed (PGlite's close writes a shutdown checkpoint)
    expect(await new Promise((r) => server!.once('exit', (code) => r(code)))).toBe(0)
    expect(existsSync(join(dir, 'server.json'))).toBe(false)
    expect(await cli('sql', 'select content from posts where user_id = $$bob$$ order by id')).toBe(' content\n------------\n Bob public\n Bob draft\n(2 rows)\n')
  })
})
