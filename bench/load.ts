/**
 * HTTP load with wrk (a C load generator: `apt-get install wrk` on Debian/Ubuntu, `brew install wrk`
 * on macOS) driven by a generated Lua script that rotates the users' tokens and ids (wrk-script.ts).
 */
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { collect } from './processes.js'
import { parseWrkResult, wrkScript, type WrkResult, type WrkScriptSpec } from './wrk-script.js'

export type LoadSpec = WrkScriptSpec &
  Readonly<{
    /** http://127.0.0.1:port */
    origin: string
    connections: number
    threads: number
    durationSeconds: number
  }>

export type LoadResult = WrkResult & Readonly<{ rps: number }>

export const WRK_MISSING = 'wrk is not installed: `apt-get install wrk` (Debian/Ubuntu) or `brew install wrk` (macOS), then run the bench again'

/** wrk's version line; throws with how to install it when it is missing. */
export function wrkVersion(): string {
  const probe = spawnSync('wrk', ['--version'], { encoding: 'utf8' })
  if (probe.error !== undefined) throw new Error(WRK_MISSING)
  return `${probe.stdout}${probe.stderr}`.split('\n')[0]?.trim() || 'wrk'
}

export async function runLoad(spec: LoadSpec, workDir: string): Promise<LoadResult> {
  const script = join(workDir, `wrk-${spec.workload.name}.lua`)
  writeFileSync(script, wrkScript(spec))
  const args = [`-t${spec.threads}`, `-c${spec.connections}`, `-d${spec.durationSeconds}s`, '--timeout', '10s', '-s', script, spec.origin]
  const out = await collect('wrk', args, (spec.durationSeconds + 30) * 1000)
  const result = parseWrkResult(out.stdout)
  if (!result) throw new Error(`wrk gave no result (exit ${String(out.code)}):\n${out.stdout}${out.stderr}`)
  return { ...result, rps: result.seconds > 0 ? result.requests / result.seconds : Number.NaN }
}
