/**
 * `npm run bench -- --cpu-prof`: where the data-api's time goes, per workload and backend. For each,
 * a fresh data-api runs with `--cpu-prof`; after a warm-up, wrk loads it for --duration seconds; the
 * server is stopped (which writes the profile) and the samples taken during the load are split by
 * area (profile-areas.ts), in µs of the server's JavaScript thread per request. Profiling slows the
 * server, so these runs are not measurements: compare the areas with each other, not the rates.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { checkInterrupted } from './cleanup.js'
import type { HttpTarget, PreparedWorkload } from './capture.js'
import { TRUNCATE_NOTES } from './fixture.js'
import { loadServer, type MeasureContext } from './measure.js'
import { AREAS, splitProfile, type Area, type CpuProfile } from './profile-areas.js'
import { treeCpuSeconds } from './processes.js'
import { columns, fmt } from './report.js'
import type { Backend } from './servers.js'
import { startServer, truncateEmbedded, type Bench } from './setup.js'

export type WorkloadProfile = Readonly<{
  backend: Backend
  workload: string
  requests: number
  rps: number
  /** CPU time of the server process per request (user + system, profiler included) */
  cpuUsPerRequest: number
  /** sampled JavaScript-thread time per request, and its split */
  busyUsPerRequest: number
  areas: Readonly<Record<Area, number>>
  topFunctions: readonly (readonly [string, number])[]
  profilePath: string
}>

const hrtimeUs = () => Number(process.hrtime.bigint() / 1000n)

async function profileOne(bench: Bench, ctx: MeasureContext, backend: Backend, p: PreparedWorkload, dir: string): Promise<WorkloadProfile> {
  const target: HttpTarget = backend === 'embedded' ? 'embedded' : 'server'
  const server = await startServer(bench, backend, dir)
  const truncate = async () => {
    if (!p.workload.writes) return
    if (backend === 'embedded') await truncateEmbedded(server, TRUNCATE_NOTES)
    else await bench.admin.query(TRUNCATE_NOTES)
  }
  const local: MeasureContext = { ...ctx, servers: { ...ctx.servers, [target]: server } }
  let from: number
  let to: number
  let requests: number
  let rps: number
  let cpu: number
  try {
    await truncate()
    if (bench.options.warmup > 0) await loadServer(local, target, p, bench.options.warmup)
    await truncate()
    const cpu0 = treeCpuSeconds(server.child.pid)
    from = hrtimeUs()
    const r = await loadServer(local, target, p, bench.options.duration)
    to = hrtimeUs()
    const cpu1 = treeCpuSeconds(server.child.pid)
    requests = r.requests
    rps = r.rps
    cpu = cpu1.user + cpu1.system - cpu0.user - cpu0.system
  } finally {
    await server.child.stop()
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
  if (!file) throw new Error(`no profile written in ${dir}; see ${server.child.logPath}`)
  const profilePath = join(dir, file)
  const split = splitProfile(JSON.parse(readFileSync(profilePath, 'utf8')) as CpuProfile, from, to)
  const per = (us: number) => (requests > 0 ? us / requests : Number.NaN)
  const areas = Object.fromEntries(AREAS.map((a) => [a, per(split.byArea.get(a) ?? 0)])) as Record<Area, number>
  const topFunctions = [...split.byFunction].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([f, us]) => [f, per(us)] as const)
  return { backend, workload: p.workload.name, requests, rps, cpuUsPerRequest: per(cpu * 1e6), busyUsPerRequest: per(split.busyUs), areas, topFunctions, profilePath }
}

export function renderProfiles(profiles: readonly WorkloadProfile[], backend: Backend): string {
  const mine = profiles.filter((p) => p.backend === backend)
  if (mine.length === 0) return ''
  const rows = [
    ...AREAS.filter((a) => mine.some((p) => p.areas[a] >= 0.05)).map((a) => [a, ...mine.map((p) => fmt(p.areas[a], 1))]),
    ['JavaScript thread, sampled', ...mine.map((p) => fmt(p.busyUsPerRequest, 1))],
    ['process CPU (user + system)', ...mine.map((p) => fmt(p.cpuUsPerRequest, 1))],
    ['requests profiled', ...mine.map((p) => String(p.requests))],
  ]
  return [`µs per request, data-api on ${backend === 'embedded' ? 'the embedded backend' : 'PostgreSQL'}, under --cpu-prof:`, ...columns(['area', ...mine.map((p) => p.workload)], rows)].join('\n')
}

export async function profileWorkloads(bench: Bench, ctx: MeasureContext, prepared: readonly PreparedWorkload[], profDir: string): Promise<WorkloadProfile[]> {
  const profiles: WorkloadProfile[] = []
  const backends: Backend[] = ['postgres', ...(bench.embedded ? (['embedded'] as const) : [])]
  for (const backend of backends) {
    // the embedded database has one owner: the profiled servers take turns with the regular one
    if (backend === 'embedded') await bench.embedded?.child.stop()
    console.log(`\nProfiling the data-api on ${backend}`)
    for (const p of prepared) {
      if (p.status[backend === 'embedded' ? 'embedded' : 'server'] !== 'ok') continue
      checkInterrupted()
      const profile = await profileOne(bench, ctx, backend, p, join(profDir, `${backend}-${p.workload.name}`))
      profiles.push(profile)
      console.log(`  ${p.workload.name.padEnd(8)} ${fmt(profile.rps)} req/s under the profiler, ${profile.requests} requests; top functions (µs/req):`)
      for (const [f, us] of profile.topFunctions.slice(0, 10)) console.log(`    ${fmt(us, 1).padStart(6)}  ${f}`)
    }
    console.log(`\n${renderProfiles(profiles, backend)}`)
  }
  return profiles
}
