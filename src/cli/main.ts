#!/usr/bin/env node
/**
 * The data-api command line: serve, run SQL, mint tokens, refresh the schema cache. Commands that
 * touch the embedded database go through the running server when there is one, because PGlite has
 * a single owner; otherwise they open the database themselves.
 */
import { Command } from 'commander'
import cluster from 'node:cluster'
import pino from 'pino'
import { readFileSync } from 'node:fs'
import { SignJWT } from 'jose'
import { localSecret, serverInfoPath, startApp, type App, type ServerInfo } from '../app.js'
import type { AppConfig } from '../config/app-config.js'
import { ConfigError, loadConfig } from '../config/load-config.js'
import type { QueryResult } from '../db/database.js'
import { bootstrapDatabase } from '../db/bootstrap.js'
import { openDatabase } from '../db/open-database.js'
import { formatResults } from './format-table.js'
import { registerAuthCommands } from './auth-commands.js'
import { registerDatabaseCommands } from './database-commands.js'
import { runPrimary, type WorkerReady } from '../server/run-workers.js'
import { answerMetricsCollects, gatherClusterMetrics } from '../server/cluster-metrics.js'

function config(): AppConfig {
  return loadConfig(process.env)
}

/** The embedded server that owns the data folder, if one is running. */
function runningServer(c: AppConfig): ServerInfo | undefined {
  if (c.databaseUrl !== undefined) return undefined
  try {
    const info = JSON.parse(readFileSync(serverInfoPath(c.dataDir), 'utf8')) as ServerInfo
    process.kill(info.pid, 0)
    return info
  } catch {
    return undefined
  }
}

async function admin(info: ServerInfo, path: string, body?: string): Promise<unknown> {
  const res = await fetch(`${info.url}/admin/v1${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${info.adminKey}`, 'Content-Type': 'text/plain' },
    body,
  })
  const payload = (await res.json()) as Record<string, unknown>
  if (!res.ok) throw new SqlFailure(payload)
  return payload
}

class SqlFailure extends Error {
  constructor(readonly payload: Record<string, unknown>) {
    super(String(payload.message ?? 'request failed'))
  }
}

async function runSql(script: string): Promise<QueryResult[]> {
  const c = config()
  const server = runningServer(c)
  if (server) return (await admin(server, '/sql', script)) as QueryResult[]
  const db = await openDatabase({ databaseUrl: c.databaseUrl, dataDir: c.dataDir, poolSize: 1, name: c.embeddedName })
  try {
    await bootstrapDatabase(db)
    return await db.exec(script)
  } finally {
    await db.close()
  }
}

function fail(err: unknown): never {
  if (err instanceof ConfigError) console.error(err.message)
  else if (err instanceof SqlFailure) {
    const p = err.payload
    console.error(`ERROR: ${String(p.message)}${p.code ? ` (${String(p.code)})` : ''}`)
    if (p.details) console.error(`DETAIL: ${String(p.details)}`)
    if (p.hint) console.error(`HINT: ${String(p.hint)}`)
  } else {
    const e = err as { message?: string; code?: string; detail?: string; hint?: string }
    console.error(`ERROR: ${e.message ?? String(err)}${e.code ? ` (${e.code})` : ''}`)
    if (e.detail) console.error(`DETAIL: ${e.detail}`)
    if (e.hint) console.error(`HINT: ${e.hint}`)
  }
  process.exit(1)
}

const program = new Command()
program.name('data-api').description('A PostgREST-compatible Data API for PostgreSQL (embedded PGlite by default)')

program
  .command('serve', { isDefault: true })
  .description('start the server (DATABASE_URL for PostgreSQL, else the embedded database in DATA_API_DIR)')
  .option('-p, --port <port>', 'port to listen on (env PORT, default 3000)')
  .option('--host <host>', 'address to listen on (env HOST, default 127.0.0.1)')
  .option('-w, --workers <n>', 'server processes sharing the port, PostgreSQL only (env DATA_API_WORKERS, default 1)')
  .action(async (options: { port?: string; host?: string; workers?: string }) => {
    try {
      const overrides: Record<string, string> = {
        ...(options.port ? { PORT: options.port } : {}),
        ...(options.host ? { HOST: options.host } : {}),
        ...(options.workers ? { DATA_API_WORKERS: options.workers } : {}),
      }
      const c = loadConfig({ ...process.env, ...overrides })
      if (cluster.isWorker) return await serveWorker(c)
      if (c.workers > 1) {
        if (c.databaseUrl === undefined) {
          throw new ConfigError('--workers (DATA_API_WORKERS) above 1 needs DATABASE_URL: the embedded database belongs to one process')
        }
        const log = pino({ level: c.logLevel, base: undefined })
        process.exit(await runPrimary({ workers: c.workers, env: overrides, log: { info: (m) => log.info(m), error: (m) => log.error(m) } }))
      }
      stopOn(await startApp(c, { writeServerInfo: true }), ['SIGINT', 'SIGTERM'])
    } catch (err) {
      fail(err)
    }
  })

/** Closes the app and exits (1 if closing failed) on the first of these process events. */
function stopOn(app: App, events: readonly ('SIGINT' | 'SIGTERM' | 'disconnect')[]): void {
  const stop = () => {
    app.close().then(() => process.exit(0), () => process.exit(1))
  }
  for (const event of events) process.once(event, stop)
}

/** One process of `serve --workers N`: a whole server that tells the primary when it listens. */
async function serveWorker(c: AppConfig): Promise<void> {
  const workerId = cluster.worker?.id ?? 0
  const logger = pino({ level: c.logLevel, base: { worker: workerId } })
  const app = await startApp(c, { logger, gatherMetrics: (own) => gatherClusterMetrics(own, workerId) })
  answerMetricsCollects(app.metrics)
  // 'disconnect': the primary is gone (killed without a chance to stop us): do not linger as an orphan
  stopOn(app, ['SIGINT', 'SIGTERM', 'disconnect'])
  const ready: WorkerReady = { type: 'data-api:ready', url: app.url }
  process.send?.(ready)
}

program
  .command('sql')
  .description('run SQL statements against the configured database and print the results')
  .argument('[statements]', 'SQL to run (several statements separated by ;)')
  .option('-f, --file <file>', 'read the SQL from a file')
  .action(async (statements: string | undefined, options: { file?: string }) => {
    try {
      const script = options.file ? readFileSync(options.file, 'utf8') : statements
      if (!script) {
        console.error('Give the SQL as an argument or with --file.')
        process.exit(2)
      }
      console.log(formatResults(await runSql(script)))
    } catch (err) {
      fail(err)
    }
  })

program
  .command('refresh-schema')
  .description('reload the schema cache of every server serving this database')
  .action(async () => {
    try {
      const c = config()
      const server = runningServer(c)
      if (server) await admin(server, '/refresh-schema')
      else if (c.databaseUrl) await runSql(`NOTIFY data_api, 'reload schema'`)
      else {
        console.log('No server is running; the schema cache is loaded when one starts.')
        return
      }
      console.log('Schema cache refreshed.')
    } catch (err) {
      fail(err)
    }
  })

program
  .command('token')
  .description('mint an HS256 token with the configured secret (for development and tests)')
  .requiredOption('--sub <sub>', 'the user id (sub claim)')
  .option('--role <role>', 'the role claim', 'authenticated')
  .option('--claims <json>', 'extra claims as a JSON object', '{}')
  .option('--expires-in <duration>', 'lifetime, e.g. 15m, 1h, 7d', '1h')
  .action(async (options: { sub: string; role: string; claims: string; expiresIn: string }) => {
    try {
      const c = config()
      const secret = c.jwtSecret ?? (c.databaseUrl === undefined ? localSecret(c.dataDir, 'jwt-secret', 48) : undefined)
      if (!secret) throw new Error('Set DATA_API_JWT_SECRET to mint tokens for a PostgreSQL-backed server.')
      const extra = JSON.parse(options.claims) as Record<string, unknown>
      const token = await new SignJWT({ ...extra, sub: options.sub, role: options.role })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuedAt()
        .setExpirationTime(options.expiresIn)
        .sign(new TextEncoder().encode(secret))
      console.log(token)
    } catch (err) {
      fail(err)
    }
  })

registerDatabaseCommands(program, { config, embeddedServerRunning: (c) => runningServer(c) !== undefined, fail })

registerAuthCommands(program, { config, runningServer, admin: (info, path) => admin(info, path), fail })

program.parseAsync(process.argv).catch(fail)
