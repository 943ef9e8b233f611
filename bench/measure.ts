/**
 * One measured run of one target on one workload: HTTP load with wrk on a server, or pgbench on one of
 * the workload's scripts, with the CPU time of the server's process tree and of the whole PostgreSQL
 * cluster read from /proc around it.
 */
import type pg from 'pg'
import { isHttpTarget, type HttpTarget, type PreparedWorkload, type Target } from './capture.js'
import { runLoad, type LoadSpec } from './load.js'
import { runPgbench } from './pgbench.js'
import { clusterCpuSeconds, machineTicks, treeCpuSeconds } from './processes.js'
import type { HttpServer } from './servers.js'

export type Measurement = Readonly<{
  target: Target
  round: number
  rps: number
  p50Ms: number
  p99Ms: number
  requests: number
  non2xx: number
  errors: number
  /** CPU time of the HTTP server's process tree per request (µs), and the part of it spent in the kernel */
  cpuUsPerRequest: number | undefined
  systemUsPerRequest: number | undefined
  /** CPU time of the whole PostgreSQL cluster per request (µs); undefined for the embedded backend */
  postgresUsPerRequest: number | undefined
  /** share of the machine's CPU that was busy during the run */
  machineBusy: number
}>

export type MeasureContext = Readonly<{
  admin: pg.Client
  postmasterPid: number
  servers: Partial<Record<HttpTarget, HttpServer>>
  /** everything of a LoadSpec but the server, the workload and the duration */
  load: Omit<LoadSpec, 'origin' | 'workload' | 'durationSeconds'>
  pgbench: Readonly<{ binDir: string; port: number; database: string; clients: number; threads: number }>
  workDir: string
  /** empties the insert target of a backend before a writing run */
  truncate: (target: Target) => Promise<void>
}>

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function busySince(before: { busy: number; total: number }): number {
  const after = machineTicks()
  const total = after.total - before.total
  return total > 0 ? (after.busy - before.busy) / total : Number.NaN
}

/** pgbench's backends exit after it does: count their CPU only once the postmaster has reaped them. */
async function pgbenchBackendsGone(admin: pg.Client): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const { rows } = await admin.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where application_name = 'pgbench'`)
    if ((rows[0]?.n ?? 0) === 0) break
    await sleep(50)
  }
  await sleep(100)
}

/** HTTP load on one server for `seconds`, nothing measured (warm-up, soak slices). */
export function loadServer(ctx: MeasureContext, target: HttpTarget, p: PreparedWorkload, seconds: number) {
  const server = ctx.servers[target]
  if (!server) throw new Error(`${target} is not running`)
  return runLoad({ ...ctx.load, origin: server.origin, workload: p.workload, durationSeconds: seconds }, ctx.workDir)
}

export async function measureOnce(ctx: MeasureContext, target: Target, p: PreparedWorkload, round: number, seconds: number): Promise<Measurement> {
  if (p.workload.writes) await ctx.truncate(target)
  const before = machineTicks()
  const pg0 = clusterCpuSeconds(ctx.postmasterPid)
  const perRequest = (seconds: number, requests: number) => (requests > 0 ? (seconds * 1e6) / requests : Number.NaN)
  if (!isHttpTarget(target)) {
    const script = p.scripts[target]
    if (!script) throw new Error(`no ${target} script for ${p.workload.name}`)
    const r = await runPgbench({ ...ctx.pgbench, durationSeconds: seconds, scriptPath: script.path, defines: script.defines, logDir: ctx.workDir })
    await pgbenchBackendsGone(ctx.admin)
    return {
      target,
      round,
      rps: r.tps,
      p50Ms: r.p50Ms,
      p99Ms: r.p99Ms,
      requests: r.transactions,
      non2xx: 0,
      errors: r.failed,
      cpuUsPerRequest: undefined,
      systemUsPerRequest: undefined,
      postgresUsPerRequest: perRequest(clusterCpuSeconds(ctx.postmasterPid) - pg0, r.transactions),
      machineBusy: busySince(before),
    }
  }
  const pid = ctx.servers[target]?.child.pid as number
  const cpu0 = treeCpuSeconds(pid)
  const r = await loadServer(ctx, target, p, seconds)
  const cpu1 = treeCpuSeconds(pid)
  return {
    target,
    round,
    rps: r.rps,
    p50Ms: r.p50Ms,
    p99Ms: r.p99Ms,
    requests: r.requests,
    non2xx: r.non2xx,
    errors: r.errors,
    cpuUsPerRequest: perRequest(cpu1.user + cpu1.system - cpu0.user - cpu0.system, r.requests),
    systemUsPerRequest: perRequest(cpu1.system - cpu0.system, r.requests),
    postgresUsPerRequest: target === 'embedded' ? undefined : perRequest(clusterCpuSeconds(ctx.postmasterPid) - pg0, r.requests),
    machineBusy: busySince(before),
  }
}
