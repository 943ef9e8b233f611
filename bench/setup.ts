/**
 * Everything a run needs before measuring: its own PostgreSQL cluster and database, the data-api on
 * it (compiled first), the fixture, the users' tokens, the hand-written peer, and the data-api on the
 * embedded backend seeded with the same fixture. Each thing started is registered for cleanup.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { checkInterrupted, onCleanup } from './cleanup.js'
import { GLIBC_TUNABLES, startCluster, type Cluster } from './cluster.js'
import { AUTHORS, BOOKS, authorsPerUser, checkShape, fixtureSql } from './fixture.js'
import { wrkVersion } from './load.js'
import type { Options } from './options.js'
import { freePort } from './processes.js'
import { NOT_RUN } from './report.js'
import type { IdSpace } from './request-ids.js'
import { adminSql, buildDist, startDataApi, startHandWritten, type Backend, type HttpServer } from './servers.js'
import { mintTokens } from './tokens.js'

export const DATABASE = 'bench'
export const BASE_PATH = `/${DATABASE}/rest/v1`
export const OWN_APPLICATION_NAME = 'data-api-bench'
const JWT_SECRET = 'bench-secret-that-is-at-least-32-characters-long'
const ADMIN_KEY = 'bench-admin-key-0123456789'

export type Bench = Readonly<{
  options: Options
  root: string
  workDir: string
  cluster: Cluster
  admin: pg.Client
  databaseUrl: string
  tokens: readonly string[]
  space: IdSpace
  nodeEnv: Readonly<Record<string, string>>
  /** the data-api's database connections per process */
  serverPool: number
  server: HttpServer
  hand: HttpServer
  embedded: HttpServer | undefined
  /** why the embedded backend is not there, when it is not */
  embeddedProblem: string | undefined
  /** saved with the results */
  settings: Readonly<Record<string, unknown>>
}>

/** Starts the data-api on `backend` (used again by the profile pass, with a CPU profile folder). */
export function startServer(b: Pick<Bench, 'root' | 'workDir' | 'databaseUrl' | 'serverPool' | 'options' | 'nodeEnv'>, backend: Backend, cpuProfDir?: string) {
  return startDataApi({
    root: b.root,
    workDir: b.workDir,
    backend,
    databaseUrl: b.databaseUrl,
    databaseName: DATABASE,
    jwtSecret: JWT_SECRET,
    adminKey: ADMIN_KEY,
    poolSize: b.serverPool,
    workers: b.options.workers,
    env: b.nodeEnv,
    ...(cpuProfDir ? { cpuProfDir } : {}),
  })
}

export async function truncateEmbedded(server: HttpServer, sql: string): Promise<void> {
  await adminSql(server, ADMIN_KEY, DATABASE, sql)
}

async function showSettings(admin: pg.Client): Promise<Record<string, string>> {
  const shown: Record<string, string> = {}
  for (const name of ['server_version', 'max_connections', 'fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'autovacuum', 'jit']) {
    const { rows } = await admin.query<Record<string, string>>(`show ${name}`)
    shown[name] = Object.values(rows[0] ?? {})[0] ?? ''
  }
  return shown
}

export async function startBench(options: Options, root: string): Promise<Bench> {
  checkShape({ users: options.users })
  const loadTool = wrkVersion()
  const space: IdSpace = { users: options.users, authorsPerUser: authorsPerUser({ users: options.users }) }
  const workDir = mkdtempSync(join(tmpdir(), 'data-api-bench-work-'))
  onCleanup(() => rmSync(workDir, { recursive: true, force: true }))
  const loadAverage = loadavg().map((l) => Number(l.toFixed(2)))

  const pgPort = await freePort()
  const cluster = startCluster({ port: pgPort, maxConnections: 100, glibcTunables: options.pgTunables, log: console.log })
  onCleanup(() => cluster.stop())
  process.once('exit', () => cluster.stop())
  const adminUrl = `postgres://postgres@127.0.0.1:${pgPort}`
  const setup = new pg.Client({ connectionString: `${adminUrl}/postgres`, application_name: OWN_APPLICATION_NAME })
  await setup.connect()
  await setup.query(`create database ${DATABASE}`)
  await setup.end()
  const databaseUrl = `${adminUrl}/${DATABASE}`
  const admin = new pg.Client({ connectionString: databaseUrl, application_name: OWN_APPLICATION_NAME })
  await admin.connect()
  onCleanup(() => admin.end())
  const shown = await showSettings(admin)

  // the data-api's workers share the pool out, so both servers hold as many connections
  const serverPool = Math.max(1, Math.round(options.pool / options.workers))
  const nodeEnv: Record<string, string> = options.nodeTunables ? { GLIBC_TUNABLES } : {}
  const settings = {
    cpus: availableParallelism(),
    loadAverage,
    node: process.version,
    postgres: { binDir: cluster.binDir, version: cluster.version, dataDir: cluster.dir, osUser: cluster.osUser, ...shown },
    postgresGlibcTunables: options.pgTunables ? GLIBC_TUNABLES : 'unset',
    nodeGlibcTunables: options.nodeTunables ? GLIBC_TUNABLES : 'unset',
    loadTool,
    connections: options.connections,
    wrkThreads: options.threads,
    pgbench: { clients: options.pgbenchClients, threads: options.pgbenchThreads, mode: 'prepared' },
    poolSize: options.pool,
    serverWorkers: options.workers,
    serverPoolPerWorker: serverPool,
    soakSeconds: options.soak,
    users: options.users,
    fixture: { authors: AUTHORS, books: BOOKS, authorsPerUser: space.authorsPerUser, policy: '(select auth.user_id()) = user_id or is_published' },
    embedded: options.embedded,
    durationSeconds: options.duration,
    rounds: options.rounds,
    warmupSeconds: options.warmup,
  }
  console.log('\nSettings')
  console.log(`  machine     ${settings.cpus} CPUs, load average ${loadAverage.join(' ')}, Node ${settings.node}`)
  console.log(`  PostgreSQL  ${cluster.version} in ${cluster.dir} (OS user ${cluster.osUser}), 127.0.0.1:${pgPort}`)
  console.log(
    `              fsync=${shown.fsync} synchronous_commit=${shown.synchronous_commit} full_page_writes=${shown.full_page_writes} ` +
      `shared_buffers=${shown.shared_buffers} max_connections=${shown.max_connections} autovacuum=${shown.autovacuum} jit=${shown.jit}`,
  )
  console.log(`  GLIBC_TUNABLES  postgres: ${settings.postgresGlibcTunables}; node: ${settings.nodeGlibcTunables}`)
  console.log(`  load        ${loadTool}, ${options.connections} connections, ${options.threads} thread(s); pgbench -M prepared -c ${options.pgbenchClients} -j ${options.pgbenchThreads}`)
  console.log(
    `  servers     pool ${options.pool} each${options.workers > 1 ? ` (data-api: ${options.workers} workers × ${serverPool})` : ''}; ` +
      `${options.users} users with their own tokens; embedded backend ${options.embedded ? 'on' : 'off'}`,
  )
  console.log(
    `  runs        ${options.rounds} interleaved round(s) × ${options.duration} s after ${options.warmup} s warm-up; workloads: ${options.only.join(', ')}`,
  )

  console.log('\nbuilding dist/ (tsc -p tsconfig.build.json)')
  buildDist(root)
  const base = { root, workDir, databaseUrl, serverPool, options, nodeEnv }
  checkInterrupted()
  // the server bootstraps the roles and the auth schema on start; the fixture's policies need them
  const server = await startServer(base, 'postgres')
  onCleanup(() => server.child.stop())
  console.log(`\ndata-api (PostgreSQL) pid ${server.child.pid} at ${server.origin}${BASE_PATH}`)
  const fixture = fixtureSql({ users: options.users })
  const loadStart = Date.now()
  await admin.query(fixture)
  await admin.query(`notify data_api, 'reload schema'`)
  console.log(`fixture loaded in ${Date.now() - loadStart} ms: ${AUTHORS} authors, ${BOOKS} books, RLS on, ${options.users} users`)
  const tokens = await mintTokens(JWT_SECRET, options.users)

  checkInterrupted()
  const hand = await startHandWritten({ root, workDir, databaseUrl, jwtSecret: JWT_SECRET, poolSize: options.pool, env: nodeEnv })
  onCleanup(() => hand.child.stop())
  console.log(`hand-written server pid ${hand.child.pid} at ${hand.origin}`)

  let embedded: HttpServer | undefined
  let embeddedProblem: string | undefined = options.embedded ? undefined : `${NOT_RUN} (--no-embedded)`
  if (options.embedded) {
    checkInterrupted()
    try {
      const started = Date.now()
      embedded = await startServer(base, 'embedded')
      const running = embedded
      onCleanup(() => running.child.stop())
      const seeding = Date.now()
      await adminSql(embedded, ADMIN_KEY, DATABASE, fixture)
      console.log(
        `data-api (embedded) pid ${embedded.child.pid} at ${embedded.origin}${BASE_PATH}: started in ${seeding - started} ms, ` +
          `fixture loaded through the admin API in ${Date.now() - seeding} ms`,
      )
    } catch (err) {
      embeddedProblem = `could not start or seed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`
      console.log(`data-api (embedded): ${embeddedProblem}`)
    }
  }
  return { options, root, workDir, cluster, admin, databaseUrl, tokens, space, nodeEnv, serverPool, server, hand, embedded, embeddedProblem, settings }
}
