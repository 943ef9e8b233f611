/**
 * The HTTP servers under test: the data-api as deployed (compiled to dist/, `node dist/cli/main.js
 * serve`) on PostgreSQL or on the embedded PGlite backend, and the hand-written peer. Each is a child
 * process with its log in the work folder.
 */
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { freePort, startChild, waitUntilReady, type Child } from './processes.js'

export type Backend = 'postgres' | 'embedded'

export type HttpServer = Readonly<{ child: Child; origin: string }>

export type DataApiSpec = Readonly<{
  root: string
  workDir: string
  backend: Backend
  /** PostgreSQL only */
  databaseUrl?: string
  /** the database name the REST path starts with (the embedded one is named after it too) */
  databaseName: string
  jwtSecret: string
  adminKey: string
  poolSize: number
  workers: number
  /** write a V8 CPU profile into this folder when the server stops */
  cpuProfDir?: string
  env: Readonly<Record<string, string>>
}>

/** Compiles src/ to dist/: the bench measures the server as `npm start` runs it, not through a loader. */
export function buildDist(root: string): void {
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' })
}

export async function startDataApi(spec: DataApiSpec): Promise<HttpServer> {
  const port = await freePort()
  const embedded = spec.backend === 'embedded'
  const child = startChild(
    `data-api (${spec.backend})`,
    [...(spec.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', spec.cpuProfDir] : []), 'dist/cli/main.js', 'serve'],
    {
      ...spec.env,
      // the embedded backend is what runs without DATABASE_URL: never inherit one
      DATABASE_URL: embedded ? undefined : spec.databaseUrl,
      DATA_API_DIR: join(spec.workDir, embedded ? 'embedded' : 'data-api'),
      DATA_API_DB_NAME: spec.databaseName,
      DATA_API_JWT_SECRET: spec.jwtSecret,
      DATA_API_ADMIN_KEY: spec.adminKey,
      DATA_API_POOL_SIZE: String(spec.poolSize),
      DATA_API_WORKERS: String(embedded ? 1 : spec.workers),
      DATA_API_LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
    },
    join(spec.workDir, `data-api-${spec.backend}.log`),
    spec.root,
  )
  const origin = `http://127.0.0.1:${port}`
  try {
    await waitUntilReady(child, `${origin}/ready`, 120_000)
  } catch (err) {
    await child.stop()
    throw err
  }
  return { child, origin }
}

export type HandWrittenSpec = Readonly<{
  root: string
  workDir: string
  databaseUrl: string
  jwtSecret: string
  poolSize: number
  env: Readonly<Record<string, string>>
}>

export async function startHandWritten(spec: HandWrittenSpec): Promise<HttpServer> {
  const port = await freePort()
  const child = startChild(
    'hand-written server',
    ['--import', 'tsx', 'bench/hand-written-server.ts'],
    { ...spec.env, DATABASE_URL: spec.databaseUrl, JWT_SECRET: spec.jwtSecret, PORT: String(port), POOL_SIZE: String(spec.poolSize) },
    join(spec.workDir, 'hand-written.log'),
    spec.root,
  )
  const origin = `http://127.0.0.1:${port}`
  try {
    await waitUntilReady(child, `${origin}/live`, 60_000)
  } catch (err) {
    await child.stop()
    throw err
  }
  return { child, origin }
}

/** Runs SQL as the database owner through a data-api's management API (how the embedded database is seeded). */
export async function adminSql(server: HttpServer, adminKey: string, database: string, sql: string): Promise<void> {
  const res = await fetch(`${server.origin}/api/v2/projects/local/branches/main/databases/${encodeURIComponent(database)}/sql`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ sql }),
    signal: AbortSignal.timeout(600_000),
  })
  if (!res.ok) throw new Error(`admin SQL failed: HTTP ${res.status} ${(await res.text()).slice(0, 500)}`)
  await res.arrayBuffer()
}
