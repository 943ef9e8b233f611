/**
 * `npm run bench`: the data-api against its ceilings on this machine (docs/performance.md).
 *
 * Starts its own PostgreSQL cluster, the data-api on it and on the embedded backend, and the
 * hand-written peer; loads the fixture; checks every workload on every server; captures the SQL the
 * data-api sends and replays it with pgbench beside the bare query; then measures all targets in
 * interleaved rounds with wrk and pgbench, soaks each data-api backend, prints medians, ratios and
 * the issue's targets, and writes bench/results/<timestamp>.json. Everything it starts is stopped
 * and deleted at the end, on Ctrl-C and on errors. `--cpu-prof` profiles instead of measuring.
 *
 *   npm run bench -- --duration 3 --rounds 1 --warmup 1 --soak 10    a quick run
 *   npm run bench -- --only get-one,list --cpu-prof                   where the server's time goes
 *   npm run bench -- --help
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { prepareWorkload, waitForAnswer, type CaptureContext, type HttpTarget, type PreparedWorkload } from './capture.js'
import { checkInterrupted, cleanup, onCleanup, stopOnSignals, wasInterrupted } from './cleanup.js'
import { TRUNCATE_NOTES } from './fixture.js'
import { loadServer, type MeasureContext } from './measure.js'
import { USAGE, parseOptions } from './options.js'
import { profileWorkloads } from './profile.js'
import { rateAndLatency, failures, fmt, renderMarkdown, renderTables, summarize } from './report.js'
import { runRounds } from './rounds.js'
import { treeRssBytes } from './processes.js'
import { BASE_PATH, DATABASE, OWN_APPLICATION_NAME, startBench, truncateEmbedded, type Bench } from './setup.js'
import { runSoak, soakLine, type SoakResult } from './soak.js'
import { checkTargets, renderTargets } from './targets.js'
import { WORKLOADS } from './workloads.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')

function indent(text: string, prefix: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => `${prefix}${l.length > 160 ? `${l.slice(0, 157)}...` : l}`)
    .join('\n')
}

function contexts(bench: Bench): { capture: CaptureContext; measure: MeasureContext } {
  const { options, cluster, admin } = bench
  const servers: Partial<Record<HttpTarget, (typeof bench)['server']>> = {
    server: bench.server,
    'hand-written': bench.hand,
    ...(bench.embedded ? { embedded: bench.embedded } : {}),
  }
  const pgbench = { binDir: cluster.binDir, port: cluster.port, database: DATABASE }
  return {
    capture: {
      admin,
      jsonLogPath: cluster.jsonLogPath,
      ownApplicationName: OWN_APPLICATION_NAME,
      basePath: BASE_PATH,
      tokens: bench.tokens,
      space: bench.space,
      servers,
      pgbench,
      workDir: bench.workDir,
    },
    measure: {
      admin,
      postmasterPid: cluster.postmasterPid(),
      servers,
      load: { basePath: BASE_PATH, tokens: bench.tokens, authorsPerUser: bench.space.authorsPerUser, connections: options.connections, threads: options.threads },
      pgbench: { ...pgbench, clients: options.pgbenchClients, threads: options.pgbenchThreads },
      workDir: bench.workDir,
      truncate: async (target) => {
        if (target === 'embedded' && bench.embedded) await truncateEmbedded(bench.embedded, TRUNCATE_NOTES)
        else if (target !== 'embedded') await admin.query(TRUNCATE_NOTES)
      },
    },
  }
}

async function prepareAll(bench: Bench, ctx: CaptureContext): Promise<PreparedWorkload[]> {
  const workloads = WORKLOADS.filter((w) => bench.options.only.includes(w.name))
  // the schema cache reloads after the fixture's DDL: wait (bounded) until each data-api sees the tables
  const firstRead = workloads.find((w) => !w.writes) ?? (workloads[0] as (typeof workloads)[number])
  await waitForAnswer(ctx, 'server', firstRead)
  if (bench.embedded) await waitForAnswer(ctx, 'embedded', firstRead)
  console.log('\nPre-checks, SQL capture and pgbench scripts')
  const prepared: PreparedWorkload[] = []
  for (const w of workloads) {
    checkInterrupted()
    const p = await prepareWorkload(ctx, w)
    if (bench.embeddedProblem) p.status.embedded = bench.embeddedProblem
    for (const [target, status] of Object.entries(p.status)) console.log(`  ${w.name.padEnd(8)} ${target.padEnd(17)} ${status}`)
    for (const [target, script] of Object.entries(p.scripts)) console.log(`  ${target}:\n${indent(script.script, '             | ')}`)
    prepared.push(p)
  }
  return prepared
}

/** The data-api's two backends, as the soak lines and the target checks name them. */
const BACKENDS = [
  { target: 'server', label: 'the data-api on PostgreSQL', backend: 'PostgreSQL' },
  { target: 'embedded', label: 'the data-api on the embedded backend', backend: 'embedded' },
] as const

type Soaks = Partial<Record<(typeof BACKENDS)[number]['target'], SoakResult>>

async function soakBoth(bench: Bench, ctx: MeasureContext, prepared: readonly PreparedWorkload[]): Promise<Soaks> {
  const soaks: Soaks = {}
  for (const { target, label } of BACKENDS) {
    const server = ctx.servers[target]
    const usable = prepared.filter((p) => p.status[target] === 'ok')
    if (!server || bench.options.soak <= 0 || usable.length === 0) continue
    checkInterrupted()
    console.log(`\nSoak: ${bench.options.soak} s on ${label}, cycling ${usable.map((p) => p.workload.name).join(', ')}`)
    soaks[target] = await runSoak({
      seconds: bench.options.soak,
      workloads: usable,
      runSlice: async (p, seconds) => {
        checkInterrupted()
        if (p.workload.writes) await ctx.truncate(target)
        return loadServer(ctx, target, p, seconds)
      },
      rssBytes: () => treeRssBytes(server.child.pid),
      onSlice: (p, r) =>
        console.log(`  ${p.workload.name.padEnd(8)} ${rateAndLatency(r)}  RSS ${fmt(treeRssBytes(server.child.pid) / 2 ** 20)} MB${failures(r)}`),
    })
  }
  return soaks
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env)
  if (options === 'help') {
    console.log(USAGE)
    return
  }
  stopOnSignals()
  const startedAt = new Date()
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-')
  const resultsDir = join(ROOT, 'bench', 'results')
  const out = options.out ?? join(resultsDir, `${stamp}.json`)
  const bench = await startBench(options, ROOT)
  const { capture, measure } = contexts(bench)
  const prepared = await prepareAll(bench, capture)
  const save = (results: Record<string, unknown>) => {
    mkdirSync(dirname(out), { recursive: true })
    writeFileSync(out, `${JSON.stringify({ startedAt: startedAt.toISOString(), settings: bench.settings, ...results }, null, 2)}\n`)
    console.log(`\nresults written to ${out}`)
  }

  if (options.cpuProf) {
    const profDir = join(resultsDir, `prof-${stamp}`)
    mkdirSync(profDir, { recursive: true })
    onCleanup(() => console.log(`CPU profiles in ${profDir}`))
    save({ profile: await profileWorkloads(bench, measure, prepared, profDir) })
    return
  }

  const measurements = await runRounds(measure, prepared, options)
  const soaks = await soakBoth(bench, measure, prepared)
  const summaries = prepared.map((p) => summarize(p.workload.name, p.workload.title, p.status, measurements.get(p.workload.name) ?? []))
  console.log(`\n${renderTables(summaries, options.embedded)}`)
  for (const { target, label } of BACKENDS) {
    const soak = soaks[target]
    if (soak) console.log(`\n${soakLine(label, soak)}`)
  }
  const targets = checkTargets(
    summaries.map((s) => ({
      name: s.name,
      server: typeof s.targets.server === 'string' ? undefined : s.targets.server,
      embedded: typeof s.targets.embedded === 'string' ? undefined : s.targets.embedded,
      toHandWritten: s.ratios.toHandWritten,
      toPipelined: s.ratios.toPipelined,
    })),
    BACKENDS.flatMap(({ target, backend }) => {
      const soak = soaks[target]
      return soak ? [{ backend, ...soak }] : []
    }),
    options.embedded,
  )
  console.log(`\n${renderTargets(targets)}`)
  const date = startedAt.toISOString().slice(0, 10)
  console.log(
    `\nFor the README (${date}, load average at the start ${(bench.settings.loadAverage as number[]).join(' ')}, ` +
      `${options.rounds} rounds × ${options.duration} s, ${options.connections} connections):\n${renderMarkdown(summaries)}`,
  )
  save({
    workloads: prepared.map((p, i) => ({
      name: p.workload.name,
      title: p.workload.title,
      status: p.status,
      scripts: Object.fromEntries(Object.entries(p.scripts).map(([k, s]) => [k, { script: s.script, defines: s.defines }])),
      measurements: measurements.get(p.workload.name),
      summary: summaries[i],
    })),
    soaks,
    targets,
  })
  for (const server of [bench.server, bench.embedded]) {
    if (server && server.child.process.exitCode !== null) console.log(`note: ${server.child.name} exited early; see ${server.child.logPath}`)
  }
}

try {
  await main()
} catch (err) {
  if (!wasInterrupted()) console.error(`\nbench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
  process.exitCode = 1
} finally {
  await cleanup()
}
