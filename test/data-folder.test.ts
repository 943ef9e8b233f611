/**
 * The embedded data folder cannot leak or be shared: it is private (0700 folders, 0600 files, a loose
 * existing folder tightened with a warning), one process owns it (a second server and a CLI command
 * refuse with one line naming the owner), and a lock left by a killed process is taken over.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { cleanEnv } from './support/clean-env.js'

const run = promisify(execFile)
const CLI = ['--import', 'tsx', 'src/cli/main.ts']

function modes(dir: string): { path: string; mode: number; dir: boolean }[] {
  const out: { path: string; mode: number; dir: boolean }[] = []
  const visit = (path: string) => {
    const info = statSync(path)
    out.push({ path, mode: info.mode & 0o777, dir: info.isDirectory() })
    if (info.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry))
  }
  visit(dir)
  return out
}

async function serve(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [...CLI, 'serve'], { env, cwd: process.cwd() })
  let output = ''
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()))
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()))
  const deadline = Date.now() + 120_000
  while (!output.includes('REST API')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start:\n${output}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  return { child, output: () => output }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  child.kill('SIGTERM')
  await new Promise((r) => child.once('exit', r))
}

describe('the embedded data folder', { timeout: 240_000 }, () => {
  const dirs: string[] = []
  const folder = () => {
    const dir = mkdtempSync(join(tmpdir(), 'data-api-folder-'))
    dirs.push(dir)
    return join(dir, 'data')
  }
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })

  it('is private: folders 0700 and every file 0600, the database files included', async () => {
    const dir = folder()
    const env = cleanEnv({ DATA_API_DIR: dir, PORT: '0', DATA_API_LOG_LEVEL: 'warn' })
    const server = await serve(env)
    try {
      const all = modes(dir)
      expect(all.filter((m) => m.path === join(dir, 'databases', 'neondb', 'PG_VERSION'))).toHaveLength(1)
      expect(all.filter((m) => m.dir && m.mode !== 0o700)).toEqual([])
      expect(all.filter((m) => !m.dir && m.mode !== 0o600)).toEqual([])
      expect(all.map((m) => m.path)).toEqual(expect.arrayContaining([join(dir, 'admin-key'), join(dir, 'jwt-secret'), join(dir, 'server.json'), join(dir, 'lock')]))
    } finally {
      await stop(server.child)
    }
    expect(existsSync(join(dir, 'lock'))).toBe(false)
  })

  it('tightens a folder others could read, with a warning', async () => {
    const dir = folder()
    mkdirSync(dir, { recursive: true, mode: 0o777 })
    chmodSync(dir, 0o777)
    writeFileSync(join(dir, 'admin-key'), 'loose-admin-key-0123456789\n', { mode: 0o666 })
    chmodSync(join(dir, 'admin-key'), 0o666)
    const server = await serve(cleanEnv({ DATA_API_DIR: dir, PORT: '0', DATA_API_LOG_LEVEL: 'warn' }))
    try {
      expect(server.output()).toContain(`${dir} was readable by other users: made it private`)
      expect(statSync(dir).mode & 0o777).toBe(0o700)
      expect(statSync(join(dir, 'admin-key')).mode & 0o777).toBe(0o600)
    } finally {
      await stop(server.child)
    }
  })

  it('has one owner: a second server refuses, naming the first; a CLI command goes through the server', async () => {
    const dir = folder()
    const env = cleanEnv({ DATA_API_DIR: dir, PORT: '0', DATA_API_LOG_LEVEL: 'warn' })
    const first = await serve(env)
    try {
      const info = JSON.parse(readFileSync(join(dir, 'server.json'), 'utf8')) as { pid: number; url: string }
      const second = await run(process.execPath, [...CLI, 'serve'], { env, cwd: process.cwd(), timeout: 120_000 }).then(
        () => ({ code: 0, stderr: '' }),
        (err: { code: number; stderr: string }) => err,
      )
      expect(second.code).toBe(1)
      expect(second.stderr).toBe(`${dir} is in use by data-api pid ${info.pid}, serving ${info.url}: stop it, or use --url\n`)
      // the first server is unharmed, and the CLI reaches the database through it
      const out = await run(process.execPath, [...CLI, 'sql', 'select 1 as one'], { env, cwd: process.cwd(), timeout: 120_000 })
      expect(out.stdout).toBe(' one\n-----\n 1\n(1 row)\n')
    } finally {
      await stop(first.child)
    }
  })

  it('takes over a lock left by a process that no longer runs', async () => {
    const dir = folder()
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    // a pid that cannot be running: beyond the kernel's pid range
    writeFileSync(join(dir, 'lock'), JSON.stringify({ pid: 2 ** 22 + 7, startedAt: new Date(0).toISOString(), purpose: 'data-api serve' }), { mode: 0o600 })
    const server = await serve(cleanEnv({ DATA_API_DIR: dir, PORT: '0', DATA_API_LOG_LEVEL: 'warn' }))
    try {
      expect(server.output()).toContain(`took over ${join(dir, 'lock')} from pid ${2 ** 22 + 7}, which no longer runs`)
      expect((JSON.parse(readFileSync(join(dir, 'lock'), 'utf8')) as { pid: number }).pid).toBe(server.child.pid)
    } finally {
      await stop(server.child)
    }
  })
})
