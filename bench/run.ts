/**
 * `npm run bench`: the data-api against its ceilings on this machine (performance.md §5, §7).
 *
 * Starts its own PostgreSQL cluster, the data-api server and the hand-written peer, loads the
 * fixture, captures the SQL the server sends for each workload and replays it with pgbench, then
 * measures all three in interleaved rounds and prints medians and ratios. Writes the results to
 * bench/results/<timestamp>.json. Everything it starts is stopped and deleted at the end, on
 * Ctrl-C and on errors.
 *
 *   npm run bench -- --duration 3 --rounds 1            a quick run
 *   npm run bench -- --only get-one,list --cpu-prof     profile the server on two workloads
 *   npm run bench -- --help
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { GLIBC_TUNABLES, startCluster, type Cluster } from './cluster.js'
import { AUTHORS, BOOKS_PER_AUTHOR, TRUNCATE_NOTES, authorsPerUser, checkShape, fixtureSql } from './fixture.js'
import { detectLoadTool, loadToolVersion, runLoad, type LoadResult, type LoadSpec, type LoadTool } from './load.js'
import { buildPgbenchScript, captureStatements, replayOnce, runPgbench, type PgbenchScript } from './pgbench.js'
import { clusterCpuSeconds, freePort, killTransient, machineTicks, startChild, tail, treeCpuSeconds, treeRssBytes, waitUntilReady, type Child } from './processes.js'
import { median } from './stats.js'
import { FLAT_GROWTH, runSoak, type SoakResult } from './soak.js'
import { checkTargets, renderTargets } from './targets.js'
import { mintTokens } from './tokens.js'
import { WORKLOADS, authorOf, checkAnswer, fill, namesAuthor, type Workload, type WorkloadName } from './workloads.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const DATABASE = 'bench'
const BASE_PATH = `/${DATABASE}/rest/v1`
const JWT_SECRET = 'bench-secret-that-is-at-least-32-characters-long'
const OWN_APPLICATION_NAME = 'data-api-bench'

const USAGE = `npm run bench -- [options]

  --duration <s>          seconds per measured run (env BENCH_DURATION, default 10)
  --rounds <n>            interleaved rounds (env BENCH_ROUNDS, default 3)
  --warmup <s>            warm-up seconds per HTTP server and workload (env BENCH_WARMUP, default 2)
  --connections <n>       HTTP connections (default 50)
  --threads <n>           wrk threads (default 1)
  --pgbench-clients <n>   pgbench clients (default 10)
  --pgbench-threads <n>   pgbench threads (default 2)
  --pool <n>              database connections of each server (default 10; with --workers, shared out among them)
  --workers <n>           run the data-api as \`serve --workers n\` (default 1)
  --soak <s>              then load the data-api alone this long, cycling the workloads, and check its
                          memory stays flat (env BENCH_SOAK, default 60; 0 skips)
  --users <n>             users, each with its own token (default 1000; must divide ${AUTHORS})
  --only <names>          comma-separated workloads: ${WORKLOADS.map((w) => w.name).join(', ')}
  --tool <t>              auto | wrk | autocannon (default auto: wrk when installed)
  --no-pg-tunables        start PostgreSQL without GLIBC_TUNABLES (to see the §7 trap)
  --node-tunables         also set GLIBC_TUNABLES on the Node processes
  --cpu-prof              run the data-api with --cpu-prof; profiles go to bench/results/
  --out <file>            results file (default bench/results/<timestamp>.json)
  --help`

type Options = Readonly<{
  duration: number
  rounds: number
  warmup: number
  connections: number
  threads: number
  pgbenchClients: number
  pgbenchThreads: number
  pool: number
  workers: number
  soak: number
  users: number
  only: readonly WorkloadName[]
  tool: LoadTool | 'auto'
  pgTunables: boolean
  nodeTunables: boolean
  cpuProf: boolean
  out: string | undefined
}>

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      threads: { type: 'string' },
      'pgbench-clients': { type: 'string' },
      'pgbench-threads': { type: 'string' },
      pool: { type: 'string' },
      workers: { type: 'string' },
      soak: { type: 'string' },
      users: { type: 'string' },
      only: { type: 'string' },
      tool: { type: 'string' },
      'no-pg-tunables': { type: 'boolean' },
      'node-tunables': { type: 'boolean' },
      'cpu-prof': { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  })
  if (values.help) {
    console.log(USAGE)
    process.exit(0)
  }
  const num = (value: string | undefined, env: string | undefined, fallback: number, name: string): number => {
    const raw = value ?? (env !== undefined && env !== '' ? env : undefined)
    if (raw === undefined) return fallback
    const n = Number(raw)
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number (got ${raw})`)
    return n
  }
  const names = WORKLOADS.map((w) => w.name)
  const only = (values.only?.split(',').map((s) => s.trim()).filter((s) => s !== '') ?? names) as WorkloadName[]
  for (const name of only) if (!names.includes(name)) throw new Error(`unknown workload ${name} (known: ${names.join(', ')})`)
  const tool = values.tool ?? 'auto'
  if (tool !== 'auto' && tool !== 'wrk' && tool !== 'autocannon') throw new Error(`--tool must be auto, wrk or autocannon`)
  const env = process.env
  return {
    duration: num(values.duration, env.BENCH_DURATION, 10, 'duration'),
    rounds: Math.round(num(values.rounds, env.BENCH_ROUNDS, 3, 'rounds')),
    warmup: num(values.warmup, env.BENCH_WARMUP, 2, 'warmup'),
    connections: Math.round(num(values.connections, undefined, 50, 'connections')),
    threads: Math.round(num(values.threads, undefined, 1, 'threads')),
    pgbenchClients: Math.round(num(values['pgbench-clients'], undefined, 10, 'pgbench-clients')),
    pgbenchThreads: Math.round(num(values['pgbench-threads'], undefined, 2, 'pgbench-threads')),
    pool: Math.round(num(values.pool, undefined, 10, 'pool')),
    workers: Math.round(num(values.workers, undefined, 1, 'workers')),
    soak: values.soak === '0' || env.BENCH_SOAK === '0' ? 0 : num(values.soak, env.BENCH_SOAK, 60, 'soak'),
    users: Math.round(num(values.users, undefined, 1000, 'users')),
    only,
    tool,
    pgTunables: !values['no-pg-tunables'],
    nodeTunables: values['node-tunables'] ?? false,
    cpuProf: values['cpu-prof'] ?? false,
    out: values.out,
  }
}

type Target = 'server' | 'pgbench' | 'hand-written'
const TARGETS: readonly Target[] = ['pgbench', 'server', 'hand-written']

type Measurement = Readonly<{
  target: Target
  round: number
  rps: number
  p50Ms: number
  p99Ms: number
  requests: number
  non2xx: number
  errors: number
  /** CPU time of the HTTP server process per request (µs), and the part of it spent in the kernel */
  cpuUsPerRequest: number | undefined
  systemUsPerRequest: number | undefined
  /** CPU time of the whole PostgreSQL cluster per request (µs) */
  postgresUsPerRequest: number
  /** share of the machine's CPU that was busy during the run */
  machineBusy: number
}>

type WorkloadReport = {
  name: WorkloadName
  title: string
  /** 'ok', or why the target was not measured */
  status: Record<Target, string>
  pgbench: PgbenchScript | undefined
  measurements: Measurement[]
}

// ------------------------------------------------------------------------------------------------
// cleanup: everything started is registered here and undone in reverse order, once

const cleanups: (() => Promise<void> | void)[] = []
let cleaning: Promise<void> | undefined
let interrupted = false

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    killTransient()
    for (const undo of cleanups.reverse()) {
      try {
        await undo()
      } catch (err) {
        console.error(`cleanup: ${err instanceof Error ? err.message : String(err)}`)
      }
    }
  })()
  return cleaning
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true
    console.error(`\n${signal}: stopping and deleting the bench cluster…`)
    void cleanup().finally(() => process.exit(130))
  })
}

// ------------------------------------------------------------------------------------------------

function fmt(n: number | undefined, digits = 0): string {
  return n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits)
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Called before each step that starts something: an interrupted run starts nothing more. */
function checkInterrupted(): void {
  if (interrupted) throw new Error('interrupted')
}

async function main(): Promise<void> {
  const options = parseOptions()
  checkShape({ users: options.users })
  const perUser = authorsPerUser({ users: options.users })
  if (perUser < 2) throw new Error('--users must leave at least 2 authors per user')
  const tool = detectLoadTool(options.tool)
  const workloads = WORKLOADS.filter((w) => options.only.includes(w.name))
  const startedAt = new Date()
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-')
  const resultsDir = join(ROOT, 'bench', 'results')
  const workDir = mkdtempSync(join(tmpdir(), 'data-api-bench-work-'))
  cleanups.push(() => rmSync(workDir, { recursive: true, force: true }))

  // --- PostgreSQL ---------------------------------------------------------------------------------
  const pgPort = await freePort()
  const cluster: Cluster = startCluster({ port: pgPort, maxConnections: 100, glibcTunables: options.pgTunables, log: console.log })
  cleanups.push(() => cluster.stop())
  process.once('exit', () => cluster.stop())
  const adminUrl = `postgres://postgres@127.0.0.1:${pgPort}`
  const setup = new pg.Client({ connectionString: `${adminUrl}/postgres`, application_name: OWN_APPLICATION_NAME })
  await setup.connect()
  await setup.query(`create database ${DATABASE}`)
  await setup.end()
  const admin = new pg.Client({ connectionString: `${adminUrl}/${DATABASE}`, application_name: OWN_APPLICATION_NAME })
  await admin.connect()
  cleanups.push(() => admin.end())
  const shown: Record<string, string> = {}
  for (const name of ['server_version', 'port', 'max_connections', 'fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'autovacuum', 'jit']) {
    const { rows } = await admin.query<Record<string, string>>(`show ${name}`)
    shown[name] = Object.values(rows[0] ?? {})[0] ?? ''
  }

  // the data-api's workers share the pool size out, so both servers hold as many connections
  const serverPool = Math.max(1, Math.round(options.pool / options.workers))
  const nodeEnv: Record<string, string> = options.nodeTunables ? { GLIBC_TUNABLES } : {}
  const settings = {
    startedAt: startedAt.toISOString(),
    cpus: availableParallelism(),
    loadAverage: loadavg().map((l) => Number(l.toFixed(2))),
    node: process.version,
    postgres: { binDir: cluster.binDir, version: cluster.version, dataDir: cluster.dir, osUser: cluster.osUser, ...shown },
    postgresGlibcTunables: options.pgTunables ? GLIBC_TUNABLES : 'unset',
    nodeGlibcTunables: options.nodeTunables ? GLIBC_TUNABLES : 'unset',
    loadTool: loadToolVersion(tool),
    connections: options.connections,
    wrkThreads: options.threads,
    pgbench: { clients: options.pgbenchClients, threads: options.pgbenchThreads, mode: 'prepared' },
    poolSize: options.pool,
    serverWorkers: options.workers,
    serverPoolPerWorker: serverPool,
    soakSeconds: options.soak,
    users: options.users,
    fixture: { authors: AUTHORS, books: AUTHORS * BOOKS_PER_AUTHOR, authorsPerUser: perUser },
    durationSeconds: options.duration,
    rounds: options.rounds,
    warmupSeconds: options.warmup,
  }
  console.log('\nSettings')
  console.log(`  machine     ${settings.cpus} CPUs, load average ${settings.loadAverage.join(' ')}, Node ${settings.node}`)
  console.log(`  PostgreSQL  ${cluster.version} in ${cluster.dir} (OS user ${cluster.osUser}), 127.0.0.1:${pgPort}`)
  console.log(
    `              fsync=${shown.fsync} synchronous_commit=${shown.synchronous_commit} full_page_writes=${shown.full_page_writes} ` +
      `shared_buffers=${shown.shared_buffers} max_connections=${shown.max_connections} autovacuum=${shown.autovacuum} jit=${shown.jit}`,
  )
  console.log(`  GLIBC_TUNABLES  postgres: ${settings.postgresGlibcTunables}; node: ${settings.nodeGlibcTunables}`)
  console.log(`  load        ${settings.loadTool}, ${options.connections} connections, ${options.threads} thread(s); pgbench -M prepared -c ${options.pgbenchClients} -j ${options.pgbenchThreads}`)
  console.log(
    `  servers     pool ${options.pool} each${options.workers > 1 ? ` (data-api: ${options.workers} workers × ${serverPool})` : ''}; ${options.users} users with their own tokens`,
  )
  console.log(`  runs        ${options.rounds} interleaved round(s) × ${options.duration} s after ${options.warmup} s warm-up; workloads: ${workloads.map((w) => w.name).join(', ')}`)

  // --- data-api server (bootstraps roles and the auth schema on start) ------------------------------
  // measured as it is deployed: compiled JavaScript (npm start), not through a TypeScript loader
  console.log('\nbuilding dist/ (tsc -p tsconfig.build.json)')
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' })
  const serverPort = await freePort()
  const serverUrl = `http://127.0.0.1:${serverPort}`
  const profDir = join(resultsDir, `prof-${stamp}`)
  if (options.cpuProf) mkdirSync(profDir, { recursive: true })
  const server: Child = startChild(
    'data-api server',
    [...(options.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []), 'dist/cli/main.js', 'serve'],
    {
      ...nodeEnv,
      DATABASE_URL: `${adminUrl}/${DATABASE}`,
      DATA_API_JWT_SECRET: JWT_SECRET,
      DATA_API_POOL_SIZE: String(serverPool),
      DATA_API_WORKERS: String(options.workers),
      DATA_API_LOG_LEVEL: 'warn',
      DATA_API_DIR: join(workDir, 'data-api'),
      HOST: '127.0.0.1',
      PORT: String(serverPort),
    },
    join(workDir, 'server.log'),
    ROOT,
  )
  cleanups.push(() => server.stop())
  await waitUntilReady(server, `${serverUrl}/ready`, 60_000)
  console.log(`\ndata-api server pid ${server.pid} at ${serverUrl}${BASE_PATH}`)

  // --- fixture ------------------------------------------------------------------------------------
  const loadStart = Date.now()
  await admin.query(fixtureSql({ users: options.users }))
  await admin.query(`notify data_api, 'reload schema'`)
  console.log(`fixture loaded in ${Date.now() - loadStart} ms: ${AUTHORS} authors, ${AUTHORS * BOOKS_PER_AUTHOR} books, RLS on, ${options.users} users`)
  const tokens = await mintTokens(JWT_SECRET, options.users)

  // --- hand-written peer --------------------------------------------------------------------------
  const handPort = await freePort()
  const handUrl = `http://127.0.0.1:${handPort}`
  const hand: Child = startChild(
    'hand-written server',
    ['--import', 'tsx', 'bench/hand-written-server.ts'],
    { ...nodeEnv, DATABASE_URL: `${adminUrl}/${DATABASE}`, JWT_SECRET, PORT: String(handPort), POOL_SIZE: String(options.pool) },
    join(workDir, 'hand-written.log'),
    ROOT,
  )
  cleanups.push(() => hand.stop())
  await waitUntilReady(hand, `${handUrl}/live`, 60_000)
  console.log(`hand-written server pid ${hand.pid} at ${handUrl}`)

  // the request the pre-checks and the capture send: user 123's author number 7 (ids differ from the user number)
  const sampleUser = Math.min(123, options.users)
  const sampleAuthor = authorOf(sampleUser, Math.min(7, perUser - 1), options.users)
  const sampleRequest = (origin: string, w: Workload): Promise<Response> =>
    fetch(`${origin}${BASE_PATH}${fill(w.path, sampleAuthor)}`, {
      method: w.method,
      headers: { ...w.headers, Authorization: `Bearer ${tokens[sampleUser - 1] as string}` },
      ...(w.body === undefined ? {} : { body: fill(w.body, sampleAuthor) }),
    })
  const check = async (origin: string, w: Workload): Promise<string> => {
    try {
      const res = await sampleRequest(origin, w)
      return checkAnswer(w, res.status, await res.text()) ?? 'ok'
    } catch (err) {
      return `request failed: ${err instanceof Error ? err.message : String(err)}`
    }
  }

  // the schema cache reloads after the fixture's DDL: wait (bounded) until the server sees the tables
  const firstRead = workloads.find((w) => !w.writes) ?? workloads[0]
  for (let i = 0; firstRead && i < 50; i++) {
    if ((await check(serverUrl, firstRead)) === 'ok') break
    await sleep(200)
  }

  // --- pre-checks and SQL capture -----------------------------------------------------------------
  console.log('\nPre-checks and SQL capture')
  const reports: WorkloadReport[] = []
  for (const w of workloads) {
    checkInterrupted()
    const report: WorkloadReport = {
      name: w.name,
      title: w.title,
      status: { server: await check(serverUrl, w), 'hand-written': await check(handUrl, w), pgbench: 'no SQL captured (the server failed)' },
      pgbench: undefined,
      measurements: [],
    }
    if (report.status.server === 'ok') {
      try {
        const statements = await captureStatements(admin, cluster.jsonLogPath, OWN_APPLICATION_NAME, async () => {
          const res = await sampleRequest(serverUrl, w)
          await res.text()
        })
        if (statements.length === 0) throw new Error('no statements in the log')
        const vary = { user: sampleUser, author: sampleAuthor, users: options.users, authorsPerUser: perUser }
        const script = buildPgbenchScript(statements, vary)
        // the replay must do the server's work for any user, not only the captured one
        const otherUser = (sampleUser % options.users) + 1
        const otherAuthor = authorOf(otherUser, Math.min(3, perUser - 1), options.users)
        const body = await replayOnce(admin, statements, vary, otherUser, otherAuthor)
        const problem =
          body === undefined
            ? 'no body column'
            : (w.checkBody(body) ?? (namesAuthor(w) && !body.includes(String(otherAuthor)) ? `author ${otherAuthor} not in ${body.slice(0, 200)}` : undefined))
        if (problem) throw new Error(`the replay for user-${otherUser} does not answer like the server: ${problem}`)
        const scriptPath = join(workDir, `${w.name}.pgbench`)
        writeFileSync(scriptPath, script.script)
        if (w.writes) await admin.query(TRUNCATE_NOTES)
        await runPgbench({
          binDir: cluster.binDir,
          port: pgPort,
          database: DATABASE,
          clients: 1,
          threads: 1,
          transactions: 5,
          scriptPath,
          defines: script.defines,
          logDir: workDir,
          sampleRate: 1,
        })
        report.pgbench = script
        report.status.pgbench = 'ok'
      } catch (err) {
        report.status.pgbench = `failed: ${err instanceof Error ? err.message.split('\n').slice(0, 6).join(' | ') : String(err)}`
      }
    }
    for (const target of TARGETS) console.log(`  ${w.name.padEnd(8)} ${target.padEnd(13)} ${report.status[target]}`)
    if (report.pgbench) console.log(indent(report.pgbench.script, '             | '))
    reports.push(report)
  }

  // --- measurements ---------------------------------------------------------------------------------
  const http = (origin: string, w: Workload, seconds: number): LoadSpec => ({
    origin,
    basePath: BASE_PATH,
    workload: w,
    tokens,
    authorsPerUser: perUser,
    connections: options.connections,
    threads: options.threads,
    durationSeconds: seconds,
  })
  const pids: Record<'server' | 'hand-written', number> = { server: server.pid, 'hand-written': hand.pid }
  const postmasterPid = cluster.postmasterPid()
  const origins: Record<'server' | 'hand-written', string> = { server: serverUrl, 'hand-written': handUrl }

  if (options.warmup > 0) {
    console.log('\nWarm-up')
    for (const report of reports) {
      const w = workloads.find((x) => x.name === report.name) as Workload
      for (const target of ['server', 'hand-written'] as const) {
        if (report.status[target] !== 'ok') continue
        checkInterrupted()
        if (w.writes) await admin.query(TRUNCATE_NOTES)
        const r = await runLoad(tool, http(origins[target], w, options.warmup), workDir)
        console.log(`  ${w.name.padEnd(8)} ${target.padEnd(13)} ${fmt(r.rps)} req/s${r.non2xx + r.errors > 0 ? ` (${r.non2xx} non-2xx, ${r.errors} errors)` : ''}`)
      }
    }
  }

  for (let round = 1; round <= options.rounds; round++) {
    console.log(`\nRound ${round}/${options.rounds}`)
    for (const report of reports) {
      const w = workloads.find((x) => x.name === report.name) as Workload
      // rotate the order each round so no target always runs first
      const order = TARGETS.map((_, i) => TARGETS[(i + round - 1) % TARGETS.length] as Target)
      for (const target of order) {
        if (report.status[target] !== 'ok') continue
        checkInterrupted()
        if (w.writes) await admin.query(TRUNCATE_NOTES)
        const before = machineTicks()
        const pg0 = clusterCpuSeconds(postmasterPid)
        const pgUs = (requests: number) => (requests > 0 ? ((clusterCpuSeconds(postmasterPid) - pg0) * 1e6) / requests : Number.NaN)
        let m: Measurement
        if (target === 'pgbench') {
          const script = report.pgbench as PgbenchScript
          const scriptPath = join(workDir, `${w.name}.pgbench`)
          const r = await runPgbench({
            binDir: cluster.binDir,
            port: pgPort,
            database: DATABASE,
            clients: options.pgbenchClients,
            threads: options.pgbenchThreads,
            durationSeconds: options.duration,
            scriptPath,
            defines: script.defines,
            logDir: workDir,
          })
          // pgbench's backends exit after it does: count their CPU only once the postmaster has reaped them
          for (let i = 0; i < 50; i++) {
            const { rows } = await admin.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where application_name = 'pgbench'`)
            if ((rows[0]?.n ?? 0) === 0) break
            await sleep(50)
          }
          await sleep(100)
          m = {
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
            postgresUsPerRequest: pgUs(r.transactions),
            machineBusy: busy(before),
          }
        } else {
          const cpu0 = treeCpuSeconds(pids[target])
          const r: LoadResult = await runLoad(tool, http(origins[target], w, options.duration), workDir)
          const cpu1 = treeCpuSeconds(pids[target])
          m = {
            target,
            round,
            rps: r.rps,
            p50Ms: r.p50Ms,
            p99Ms: r.p99Ms,
            requests: r.requests,
            non2xx: r.non2xx,
            errors: r.errors,
            cpuUsPerRequest: r.requests > 0 ? ((cpu1.user + cpu1.system - cpu0.user - cpu0.system) * 1e6) / r.requests : undefined,
            systemUsPerRequest: r.requests > 0 ? ((cpu1.system - cpu0.system) * 1e6) / r.requests : undefined,
            postgresUsPerRequest: pgUs(r.requests),
            machineBusy: busy(before),
          }
        }
        report.measurements.push(m)
        const cpu = `  postgres ${fmt(m.postgresUsPerRequest)} µs/req${m.cpuUsPerRequest === undefined ? '' : `  ${target} ${fmt(m.cpuUsPerRequest)} µs/req (${fmt(m.systemUsPerRequest)} system)`}`
        console.log(`  ${w.name.padEnd(8)} ${target.padEnd(13)} ${rateAndLatency(m)}  busy ${fmt(m.machineBusy * 100)}%${cpu}${failures(m)}`)
      }
    }
  }

  // --- soak: the data-api alone, its memory sampled -------------------------------------------------
  let soak: SoakResult | undefined
  const soakWorkloads = workloads.filter((w) => reports.find((r) => r.name === w.name)?.status.server === 'ok')
  if (options.soak > 0 && soakWorkloads.length > 0) {
    checkInterrupted()
    console.log(`\nSoak: ${options.soak} s on the data-api, cycling ${soakWorkloads.map((w) => w.name).join(', ')}`)
    soak = await runSoak({
      seconds: options.soak,
      workloads: soakWorkloads,
      runSlice: async (w, seconds) => {
        checkInterrupted()
        if (w.writes) await admin.query(TRUNCATE_NOTES)
        return runLoad(tool, http(serverUrl, w, seconds), workDir)
      },
      rssBytes: () => treeRssBytes(server.pid),
      onSlice: (w, r) =>
        console.log(`  ${w.name.padEnd(8)} ${rateAndLatency(r)}  RSS ${fmt(treeRssBytes(server.pid) / 2 ** 20)} MB${failures(r)}`),
    })
  }

  // --- report ---------------------------------------------------------------------------------------
  const summaries = reports.map(summarize)
  console.log(`\n${table(summaries)}`)
  if (soak) console.log(`\n${soakLine(soak)}`)
  const targets = checkTargets(
    summaries.map((s) => ({
      name: s.name,
      server: typeof s.server === 'string' ? undefined : s.server,
      serverToPgbench: s.serverToPgbench,
      serverToHandWritten: s.serverToHandWritten,
    })),
    soak,
  )
  console.log(`\n${renderTargets(targets)}`)
  const results = { settings, workloads: reports.map((r, i) => ({ ...r, summary: summaries[i] })), soak, targets }
  const out = options.out ?? join(resultsDir, `${stamp}.json`)
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`)
  console.log(`\nresults written to ${out}`)
  if (options.cpuProf) console.log(`server CPU profile(s) in ${profDir} (written when the server stops)`)
  if (server.process.exitCode !== null) console.log(`note: the server exited early; log:\n${tail(server.logPath)}`)
}

/** A run's rate and latencies, in the columns every run line uses. */
function rateAndLatency(r: Readonly<{ rps: number; p50Ms: number; p99Ms: number }>): string {
  return `${fmt(r.rps).padStart(7)} req/s  p50 ${fmt(r.p50Ms, 2).padStart(6)} ms  p99 ${fmt(r.p99Ms, 2).padStart(7)} ms`
}

/** `  3 non-2xx, 1 errors` after a run line, or nothing when all went well. */
function failures(r: Readonly<{ non2xx: number; errors: number }>): string {
  return r.non2xx + r.errors > 0 ? `  ${r.non2xx} non-2xx, ${r.errors} errors` : ''
}

function soakLine(s: SoakResult): string {
  const problems = s.non2xx + s.errors > 0 ? `${s.non2xx} non-2xx, ${s.errors} errors` : 'no errors, no non-2xx'
  const sign = s.growth >= 0 ? '+' : ''
  return (
    `Soak ${fmt(s.seconds)} s: ${s.requests} requests (${fmt(s.requests / s.seconds)} req/s), ${problems}; ` +
    `data-api RSS ${fmt(s.startMb)} MB in the first quarter, ${fmt(s.endMb)} MB in the last (${sign}${fmt(s.growth * 100, 1)}%): ` +
    `${s.flat ? 'flat' : `GROWING (more than ${FLAT_GROWTH * 100}%)`}`
  )
}

function busy(before: { busy: number; total: number }): number {
  const after = machineTicks()
  const total = after.total - before.total
  return total > 0 ? (after.busy - before.busy) / total : Number.NaN
}

function indent(text: string, prefix: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => `${prefix}${l.length > 160 ? `${l.slice(0, 157)}...` : l}`)
    .join('\n')
}

type TargetSummary =
  | {
      rps: number
      p50Ms: number
      p99Ms: number
      non2xx: number
      errors: number
      cpuUsPerRequest: number
      systemUsPerRequest: number
      postgresUsPerRequest: number
    }
  | string

type Summary = Readonly<{
  name: WorkloadName
  server: TargetSummary
  pgbench: TargetSummary
  handWritten: TargetSummary
  /** medians of the per-round ratios */
  serverToPgbench: number
  serverToHandWritten: number
}>

function summarize(report: WorkloadReport): Summary {
  const of = (target: Target): TargetSummary => {
    if (report.status[target] !== 'ok') return report.status[target]
    const ms = report.measurements.filter((m) => m.target === target)
    if (ms.length === 0) return 'not measured'
    return {
      rps: median(ms.map((m) => m.rps)),
      p50Ms: median(ms.map((m) => m.p50Ms)),
      p99Ms: median(ms.map((m) => m.p99Ms)),
      non2xx: ms.reduce((a, m) => a + m.non2xx, 0),
      errors: ms.reduce((a, m) => a + m.errors, 0),
      cpuUsPerRequest: median(ms.map((m) => m.cpuUsPerRequest ?? Number.NaN)),
      systemUsPerRequest: median(ms.map((m) => m.systemUsPerRequest ?? Number.NaN)),
      postgresUsPerRequest: median(ms.map((m) => m.postgresUsPerRequest)),
    }
  }
  const ratio = (a: Target, b: Target): number => {
    const rounds = [...new Set(report.measurements.map((m) => m.round))]
    return median(
      rounds.map((round) => {
        const x = report.measurements.find((m) => m.round === round && m.target === a)
        const y = report.measurements.find((m) => m.round === round && m.target === b)
        return x && y && y.rps > 0 ? x.rps / y.rps : Number.NaN
      }),
    )
  }
  return {
    name: report.name,
    server: of('server'),
    pgbench: of('pgbench'),
    handWritten: of('hand-written'),
    serverToPgbench: ratio('server', 'pgbench'),
    serverToHandWritten: ratio('server', 'hand-written'),
  }
}

function table(summaries: readonly Summary[]): string {
  const cell = (s: TargetSummary): string[] =>
    typeof s === 'string'
      ? ['failed', '', '']
      : [`${fmt(s.rps)}${s.non2xx + s.errors > 0 ? '!' : ''}`, fmt(s.p50Ms, 2), fmt(s.p99Ms, 2)]
  const header = ['workload', 'server/s', 'p50', 'p99', 'pgbench/s', 'p50', 'p99', 'hand/s', 'p50', 'p99', 'srv/pgb', 'srv/hand', 'srv µs/req', 'sys', 'hand µs/req', 'pg µs/req srv', 'pgb', 'hand']
  const rows = summaries.map((s) => [
    s.name,
    ...cell(s.server),
    ...cell(s.pgbench),
    ...cell(s.handWritten),
    fmt(s.serverToPgbench, 2),
    fmt(s.serverToHandWritten, 2),
    typeof s.server === 'string' ? '' : fmt(s.server.cpuUsPerRequest),
    typeof s.server === 'string' ? '' : fmt(s.server.systemUsPerRequest),
    typeof s.handWritten === 'string' ? '' : fmt(s.handWritten.cpuUsPerRequest),
    typeof s.server === 'string' ? '' : fmt(s.server.postgresUsPerRequest),
    typeof s.pgbench === 'string' ? '' : fmt(s.pgbench.postgresUsPerRequest),
    typeof s.handWritten === 'string' ? '' : fmt(s.handWritten.postgresUsPerRequest),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ')
  const notes: string[] = []
  for (const s of summaries) {
    for (const [label, t] of [['server', s.server], ['pgbench', s.pgbench], ['hand-written', s.handWritten]] as const) {
      if (typeof t === 'string') notes.push(`  ${s.name} ${label}: ${t}`)
      else if (t.non2xx + t.errors > 0) notes.push(`  ${s.name} ${label}: ${t.non2xx} non-2xx answers, ${t.errors} errors (marked !)`)
    }
  }
  return [
    'Medians of the rounds. req/s (pgbench: transactions/s, one transaction = one request); p50/p99 latency in ms;',
    'srv/pgb and srv/hand: medians of the per-round ratios; µs/req: CPU time per request of the server process (sys: its',
    'kernel part), of the hand-written server, and of the whole PostgreSQL cluster while each target ran (pg µs/req).',
    line(header),
    ...rows.map(line),
    ...(notes.length > 0 ? ['', 'Not measured or with failures:', ...notes] : []),
  ].join('\n')
}

try {
  await main()
} catch (err) {
  if (!interrupted) console.error(`\nbench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
  process.exitCode = 1
} finally {
  await cleanup()
}
