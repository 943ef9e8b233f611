/**
 * `data-api serve --workers N` as a user runs it: a primary and N server processes sharing one
 * port. Every worker answers and sees schema changes made after it started, a worker that dies is
 * replaced while the others keep serving, and SIGTERM stops them all. The embedded database refuses
 * more than one worker.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { get } from 'node:http'
import { promisify } from 'node:util'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually } from './support/eventually.js'
import { cleanEnv } from './support/clean-env.js'
import { createTempPostgres, databaseUrl, type TempPostgres } from './support/temp-postgres.js'

const run = promisify(execFile)
const ROOT = new URL('..', import.meta.url).pathname
const CLI = ['--import', 'tsx', 'src/cli/main.ts']
const ADMIN_KEY = 'workers-admin-key-0123456789'

async function failure(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [...CLI, ...args], { cwd: ROOT, env: cleanEnv(env), timeout: 60_000 }).then(
    (out) => ({ code: 0, ...out }),
    (err: { code: number; stdout: string; stderr: string }) => err,
  )
}

/** One GET on a connection of its own, so the primary hands each request to the next worker. */
function freshGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return freshGetWithHeaders(url, headers).then(({ status, body }) => ({ status, body }))
}

function freshGetWithHeaders(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }))
    }).on('error', reject)
  })
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('data-api serve --workers on the embedded database', () => {
  it('refuses more than one worker: the embedded database belongs to one process', async () => {
    const out = await failure(['serve', '--workers', '2'], { DATA_API_DIR: 'memory://' })
    expect(out.code).toBe(1)
    expect(out.stderr).toBe('--workers (DATA_API_WORKERS) above 1 needs DATABASE_URL: the embedded database belongs to one process\n')
  })

  it('refuses a count below one', async () => {
    const out = await failure(['serve'], { DATA_API_DIR: 'memory://', DATA_API_WORKERS: '0' })
    expect(out.code).toBe(1)
    expect(out.stderr).toBe('Invalid configuration:\n  DATA_API_WORKERS: must be a whole number of processes, at least 1\n')
  })
})

describe.skipIf(!databaseUrl)('data-api serve --workers 2 on PostgreSQL', () => {
  let temp: TempPostgres
  let primary: ChildProcess
  let output = ''
  let origin = ''
  let pids: number[] = []
  let sql: pg.Client

  const untilOutput = (pattern: RegExp, timeoutMs = 90_000): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const deadline = Date.now() + timeoutMs
      const check = () => {
        const m = pattern.exec(output)
        if (m) resolve(m)
        else if (Date.now() > deadline || primary.exitCode !== null) reject(new Error(`no ${pattern} in:\n${output}`))
        else setTimeout(check, 50)
      }
      check()
    })

  beforeAll(async () => {
    temp = (await createTempPostgres('dapi_workers')) as TempPostgres
    sql = new pg.Client({ connectionString: temp.url })
    await sql.connect()
    primary = spawn(process.execPath, [...CLI, 'serve', '--workers', '2', '--port', '0'], {
      cwd: ROOT,
      env: cleanEnv({ DATABASE_URL: temp.url, DATA_API_POOL_SIZE: '2', DATA_API_LOG_LEVEL: 'info', DATA_API_JWT_SECRET: 'x'.repeat(32), DATA_API_ADMIN_KEY: ADMIN_KEY }),
    })
    primary.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    primary.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const m = await untilOutput(/data-api serving at (http:\/\/\S+) with 2 workers \(pids (\d+), (\d+)\)/)
    origin = m[1] as string
    pids = [Number(m[2]), Number(m[3])]
  }, 120_000)

  afterAll(async () => {
    if (primary && primary.exitCode === null) {
      primary.kill('SIGKILL')
      for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL')
    }
    await sql?.end()
    await temp?.drop()
  })

  it('runs each worker as a process of its own, with its own pool', async () => {
    expect(pids[0]).not.toBe(pids[1])
    expect(pids.every(alive)).toBe(true)
    const { rows } = await sql.query<{ n: number }>(
      `select count(distinct pid)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
    )
    // two pools of two, plus each worker's LISTEN connection
    expect(rows[0]?.n).toBeGreaterThanOrEqual(4)
  })

  it('signs in to the console with the banner’s link on whichever worker, once, for every worker', async () => {
    const link = (await untilOutput(/^\s+Console\s+(\S+)/m))[1]!
    const first = await freshGetWithHeaders(link)
    expect(first.status).toBe(303)
    expect(first.headers.location).toBe('/console/')
    const cookie = String(first.headers['set-cookie']).split(';', 1)[0]!
    // the worker that took the link told the other before answering: no worker takes it again
    for (let i = 0; i < 4; i++) expect((await freshGetWithHeaders(link)).headers.location).toBe('/console/?signin=link-invalid')
    for (let i = 0; i < 4; i++) {
      const projects = await freshGet(`${origin}/api/v2/projects`, { Cookie: cookie, 'X-Data-API-Console': '1' })
      expect(projects.status).toBe(200)
    }
  })

  it('answers from every worker, each seeing a table created after it started', async () => {
    await sql.query(`create table gadgets (id int primary key, name text); insert into gadgets values (1, 'lamp');
      grant usage on schema public to anonymous; grant select on gadgets to anonymous`)
    const url = `${origin}/${temp.name}/rest/v1/gadgets?select=id,name`
    // 10 fresh connections in a row all succeed only once both workers have reloaded their schema cache
    await eventually(async () => {
      const answers = await Promise.all(Array.from({ length: 10 }, () => freshGet(url)))
      return answers.every((a) => a.status === 200)
    }, 20_000)
    const answers = await Promise.all(Array.from({ length: 10 }, () => freshGet(url)))
    expect(answers).toEqual(Array.from({ length: 10 }, () => ({ status: 200, body: '[{"id":1,"name":"lamp"}]' })))
  })

  it('shows every worker\'s counters at /metrics, whichever worker is asked', async () => {
    // on fresh connections, so the scrapes reach both workers in turn
    for (let i = 0; i < 4; i++) {
      const { status, body: text } = await freshGet(`${origin}/metrics`, { Authorization: `Bearer ${ADMIN_KEY}` })
      expect(status).toBe(200)
      // each family once, with one series per worker
      expect(text.match(/^# TYPE process_start_time_seconds gauge$/gm)).toHaveLength(1)
      expect(text.match(/^process_start_time_seconds\{worker="\d+"\} \d+$/gm)).toHaveLength(2)
      const gets = [...text.matchAll(/^data_api_http_requests_total\{worker="(\d+)",method="GET",status="200"\} (\d+)$/gm)]
      // the previous spec's requests on fresh connections reached both workers
      expect(gets.map((m) => m[1]).sort()).toEqual(['1', '2'])
      expect(gets.reduce((total, m) => total + Number(m[2]), 0)).toBeGreaterThanOrEqual(10)
    }
  })

  it('refreshes every worker through the management API when DDL goes unannounced', async () => {
    // without the event trigger (a database bootstrapped by a non-superuser) nothing announces DDL
    await sql.query(`drop event trigger data_api_ddl_watch; create table widgets (id int primary key);
      insert into widgets values (7); grant select on widgets to anonymous`)
    const url = `${origin}/${temp.name}/rest/v1/widgets`
    expect((await freshGet(url)).status).toBe(404)
    const res = await fetch(`${origin}/api/v2/projects/local/branches/main/data-api/${temp.name}`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' },
      body: '{}',
    })
    expect({ status: res.status, body: await res.json() }).toEqual({ status: 201, body: {} })
    // the worker that answered reloaded before answering; the other reloads on the notification
    await eventually(async () => (await Promise.all(Array.from({ length: 10 }, () => freshGet(url)))).every((a) => a.status === 200), 20_000)
    expect(await freshGet(url)).toEqual({ status: 200, body: '[{"id":7}]' })
  })

  it('applies a settings change in every worker before the PATCH answers: the very next GET sees it', async () => {
    await sql.query(`create table gauges (id int primary key); insert into gauges select generate_series(1, 5); grant select on gauges to anonymous`)
    const url = `${origin}/${temp.name}/rest/v1/gauges`
    // the event trigger is gone (the test above): refresh by hand
    const refresh = await fetch(`${origin}/api/v2/projects/local/branches/main/data-api/${temp.name}`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' },
      body: '{}',
    })
    expect(refresh.status).toBe(201)
    await eventually(async () => (await Promise.all(Array.from({ length: 6 }, () => freshGet(url)))).every((a) => a.status === 200), 20_000)
    for (const max of [1, 3, 2]) {
      const res = await fetch(`${origin}/api/v2/projects/local/branches/main/data-api/${temp.name}?replace=false`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ settings: { db_max_rows: max } }),
      })
      expect(res.status).toBe(201)
      // each on a connection of its own, so both workers answer some
      const answers = await Promise.all(Array.from({ length: 6 }, () => freshGet(url)))
      expect(answers.map((a) => (JSON.parse(a.body) as unknown[]).length)).toEqual(Array.from({ length: 6 }, () => max))
    }
  })

  it('replaces a worker that dies while the other keeps serving', async () => {
    const [victim, survivor] = pids as [number, number]
    process.kill(victim, 'SIGKILL')
    await untilOutput(new RegExp(`worker ${victim} exited \\(signal SIGKILL\\); starting another in 1000 ms`))
    expect((await freshGet(`${origin}/live`)).status).toBe(200)
    const m = await untilOutput(/worker (\d+) is serving in place of the one that exited/)
    const replacement = Number(m[1])
    expect(replacement).not.toBe(victim)
    expect(alive(replacement)).toBe(true)
    pids = [survivor, replacement]
    const answers = await Promise.all(Array.from({ length: 6 }, () => freshGet(`${origin}/${temp.name}/rest/v1/gadgets?select=name`)))
    expect(answers).toEqual(Array.from({ length: 6 }, () => ({ status: 200, body: '[{"name":"lamp"}]' })))
  })

  it('stops every worker on SIGTERM and exits 0', async () => {
    const exited = new Promise<number | null>((resolve) => primary.once('exit', (code) => resolve(code)))
    primary.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(pids.filter(alive)).toEqual([])
  })
})
