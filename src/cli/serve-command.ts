/**
 * `data-api serve` (the default command): one server process, or with --workers N a node:cluster
 * primary over N of them (PostgreSQL only). Prints where everything is once it listens.
 */
import cluster from 'node:cluster'
import type { Command } from 'commander'
import { createLogger } from '../server/logger.js'
import { startApp, type App } from '../app.js'
import { ConfigError, loadConfig } from '../config/load-config.js'
import { resolveAuthProvider } from '../auth-service/auth-service.js'
import { ConsoleSessions, consoleLoginUrl, type SpentLink } from '../server/console-session.js'
import type { AppConfig } from '../config/app-config.js'
import { answerFanOuts, fanOut } from '../server/cluster-fan-out.js'
import { gatherClusterMetrics, METRICS } from '../server/cluster-metrics.js'
import { runPrimary, type WorkerReady } from '../server/run-workers.js'
import { formatBanner } from '../server/startup-banner.js'
import { VERSION } from '../server/version.js'
import { DataFolderBusy } from '../serving/data-folder.js'
import { busyMessage } from './cli-client.js'
import { createProgress } from './progress.js'

type ServeFlags = { port?: string; host?: string; workers?: string }

const CONSOLE_LINK_USED = 'console-link-used'

function banner(c: AppConfig, url: string, builtInAuth: boolean, database: string, wireUrl?: string, consoleLink?: string): string {
  return formatBanner({
    version: VERSION,
    url: c.publicUrl ?? url,
    database,
    backend: c.databaseUrl ? 'postgres' : 'embedded',
    dataDir: c.dataDir,
    builtInAuth,
    adminKeySource: c.adminKey ? 'environment' : c.databaseUrl ? 'none' : 'file',
    workers: c.workers,
    wireUrl,
    consoleLink,
  })
}

export function registerServeCommand(program: Command, deps: Readonly<{ fail: (err: unknown) => never }>): void {
  program
    .command('serve', { isDefault: true })
    .description('start the server (DATABASE_URL for PostgreSQL, else the embedded database in DATA_API_DIR)')
    .option('-p, --port <port>', 'port to listen on (env PORT, default 3000)')
    .option('--host <host>', 'address to listen on (env HOST, default 127.0.0.1)')
    .option('-w, --workers <n>', 'server processes sharing the port, PostgreSQL only (env DATA_API_WORKERS, default 1)')
    .addHelpText('after', '\nExamples:\n  $ data-api serve\n  $ data-api serve --port 8080 --host 0.0.0.0\n  $ DATABASE_URL=postgres://authenticator:...@db/app data-api serve --workers 2\n')
    .action(async (options: ServeFlags) => {
      try {
        const overrides: Record<string, string> = {
          ...(options.port ? { PORT: options.port } : {}),
          ...(options.host ? { HOST: options.host } : {}),
          ...(options.workers ? { DATA_API_WORKERS: options.workers } : {}),
        }
        // the flags stand in for their variables; loadConfig stays the only reader of the environment
        const c = loadConfig(undefined, {
          ...(options.port ? { port: Number(options.port) } : {}),
          ...(options.host ? { host: options.host } : {}),
          ...(options.workers ? { workers: Number(options.workers) } : {}),
        })
        if (options.port !== undefined && !/^\d+$/.test(options.port)) throw new ConfigError(`--port must be a port number, not "${options.port}"`)
        if (cluster.isWorker) return await serveWorker(c)
        if (c.workers > 1) {
          if (c.databaseUrl === undefined) {
            throw new ConfigError('--workers (DATA_API_WORKERS) above 1 needs DATABASE_URL: the embedded database belongs to one process')
          }
          const log = createLogger(c.logLevel)
          const code = await runPrimary({
            workers: c.workers,
            env: overrides,
            log: { info: (m) => log.info(m), error: (m) => log.error(m) },
            onReady: (url) => {
              // every worker accepts a link signed with the admin key, whoever signed it
              const link = c.adminKey ? consoleLoginUrl(c.publicUrl ?? url, new ConsoleSessions(c.adminKey)) : undefined
              process.stdout.write(banner(c, url, resolveAuthProvider(c) === 'built-in', new URL(c.databaseUrl!).pathname.slice(1) || 'postgres', undefined, link))
            },
          })
          process.exit(code)
        }
        const progress = createProgress()
        const app = await startApp(c, { writeServerInfo: true, step: progress.step }).catch((err: unknown) => {
          if (err instanceof DataFolderBusy) throw new ConfigError(busyMessage(c.dataDir, err))
          if ((err as { code?: string }).code === 'EADDRINUSE') {
            throw new ConfigError(`Port ${c.port} on ${c.host} is already in use: stop what listens there, or pick another port (--port N, PORT=N; 0 picks a free one).`)
          }
          throw err
        })
        // from here on, opening a database is the server's business, told in its log
        progress.stop()
        process.stdout.write(banner(c, app.url, app.authService !== undefined, app.served.name, app.wireUrl, app.consoleLink()))
        stopOn(app, ['SIGINT', 'SIGTERM'])
      } catch (err) {
        deps.fail(err)
      }
    })
}

/** Closes the app and exits (1 if closing failed) on the first of these process events. */
function stopOn(app: App, events: readonly ('SIGINT' | 'SIGTERM' | 'disconnect')[]): void {
  const stop = () => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  for (const event of events) process.once(event, stop)
}

/** One process of `serve --workers N`: a whole server that tells the primary when it listens. */
async function serveWorker(c: AppConfig): Promise<void> {
  const workerId = cluster.worker?.id ?? 0
  const logger = createLogger(c.logLevel, { worker: workerId })
  const app = await startApp(c, {
    logger,
    gatherMetrics: (own) => gatherClusterMetrics(own, workerId),
    // a settings change made here is applied by every other worker before its request answers, and a
    // database about to be copied is closed by every worker first
    broadcast: async (event, database) => void (await fanOut(`database-${event}`, database, { others: true })),
    // a console sign-in link used here stops working on every other worker too
    broadcastConsoleLink: async (link) => void (await fanOut(CONSOLE_LINK_USED, link, { others: true })),
  })
  answerFanOuts({
    [METRICS]: () => app.metrics(),
    'database-changed': (database) => app.host.reload(String(database)),
    'database-close': (database) => app.host.closeDatabase(String(database)),
    [CONSOLE_LINK_USED]: (link) => app.consoleSessions?.spend(link as SpentLink),
  })
  // 'disconnect': the primary is gone (killed without a chance to stop us): do not linger as an orphan
  stopOn(app, ['SIGINT', 'SIGTERM', 'disconnect'])
  const ready: WorkerReady = { type: 'data-api:ready', url: app.url }
  process.send?.(ready)
}
