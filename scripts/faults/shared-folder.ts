/**
 * Two servers on one embedded data folder: the second refuses at once with one line naming the first,
 * which goes on serving. (test/data-folder.test.ts checks the same through the CLI in detail.)
 */
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cleanEnv } from '../../test/support/clean-env.js'
import type { ScenarioResult } from './scenario-result.js'

const CLI = ['--import', 'tsx', 'src/cli/main.ts', 'serve']

export async function runSharedFolder(root: string): Promise<ScenarioResult> {
  const parent = mkdtempSync(join(tmpdir(), 'data-api-faults-'))
  const dir = join(parent, 'data')
  const env = cleanEnv({ DATA_API_DIR: dir, PORT: '0', DATA_API_LOG_LEVEL: 'warn' })
  const first = spawn(process.execPath, CLI, { env, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise((r) => first.once('exit', r))
  let output = ''
  first.stdout.on('data', (c: Buffer) => (output += c.toString()))
  first.stderr.on('data', (c: Buffer) => (output += c.toString()))
  try {
    const deadline = Date.now() + 120_000
    while (!output.includes('REST API')) {
      if (first.exitCode !== null || Date.now() > deadline) throw new Error(`the first server did not start:\n${output}`)
      await new Promise((r) => setTimeout(r, 100))
    }
    const info = JSON.parse(readFileSync(join(dir, 'server.json'), 'utf8')) as { pid: number; url: string }
    const started = performance.now()
    const second = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, CLI, { env, cwd: root, timeout: 120_000 }, (error, _stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stderr }),
      )
    })
    const refusedMs = performance.now() - started
    const expected = `${dir} is in use by data-api pid ${info.pid}, serving ${info.url}: stop it, or use --url\n`
    const live = await fetch(`${info.url}/live`).then((r) => r.status, () => 0)
    const problems: string[] = []
    if (second.code !== 1) problems.push(`the second server exited with ${String(second.code)}`)
    if (second.stderr !== expected) problems.push(`the second server said ${JSON.stringify(second.stderr)}`)
    if (live !== 200) problems.push(`the first server answered /live with ${live} afterwards`)
    return {
      name: 'Two servers on one embedded data folder',
      passed: problems.length === 0,
      figures: { 'second server': `exit ${String(second.code)} after ${refusedMs.toFixed(0)} ms: ${second.stderr.trim()}`, 'first server /live afterwards': String(live) },
      problems,
    }
  } finally {
    first.kill('SIGTERM')
    await exited
    rmSync(parent, { recursive: true, force: true })
  }
}
