/**
 * The AdminClient a CLI command uses: the running server's HTTP API when there is one (named by
 * --url, or found through the embedded data folder's server.json), else the database directly —
 * never an embedded database a server holds (PGlite has a single owner).
 */
import { createLogger } from '../server/logger.js'
import { inProcessClient, type AdminClient } from '../admin/admin-client.js'
import { remoteAdminClient } from '../admin/remote-admin-client.js'
import type { AppConfig } from '../config/app-config.js'
import { DatabaseHost, type Step } from '../serving/database-host.js'
import { DataFolderBusy } from '../serving/data-folder.js'
import { localSecret, runningServer } from '../serving/local-state.js'
import { openStore } from '../serving/open-store.js'

export type ConnectionFlags = Readonly<{
  /** a running server: http://host:port */
  url?: string
  adminKey?: string
  /** PostgreSQL to work on directly, instead of DATABASE_URL */
  databaseUrl?: string
}>

export class CliError extends Error {
  override readonly name = 'CliError'
}

/** The configuration the flags adjust (the flags win over the environment for this command). */
export function withFlags(config: AppConfig, flags: ConnectionFlags): AppConfig {
  return flags.databaseUrl ? { ...config, databaseUrl: flags.databaseUrl } : config
}

/** `step` shows the slow parts of opening a database here (an embedded database's first start). */
export async function cliClient(config: AppConfig, flags: ConnectionFlags, step?: Step): Promise<AdminClient> {
  if (flags.url) {
    const key = flags.adminKey ?? config.adminKey
    if (!key) throw new CliError('--url needs the server’s admin key: --admin-key KEY, or DATA_API_ADMIN_KEY')
    return remoteAdminClient(flags.url, key)
  }
  const effective = withFlags(config, flags)
  if (!effective.databaseUrl) {
    const server = runningServer(effective.dataDir)
    if (server) return remoteAdminClient(server.url, server.adminKey)
  }
  return localClient(effective, step)
}

/** Operations straight on the database(s), in this process; the databases close with the client. */
async function localClient(config: AppConfig, step: Step | undefined): Promise<AdminClient> {
  const logger = createLogger('warn', undefined, { toStderr: true })
  const store = await openStore(config, logger, `data-api ${process.argv[2] ?? ''}`.trim()).catch((err: unknown) => {
    throw err instanceof DataFolderBusy ? new CliError(busyMessage(config.dataDir, err)) : err
  })
  const serverUrl = () => config.publicUrl ?? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`
  const embedded = config.databaseUrl === undefined
  const host = new DatabaseHost({
    store,
    base: { ...config, databaseIdleSeconds: 0 },
    logger,
    serverUrl,
    localJwtSecret: config.jwtSecret ?? (embedded ? localSecret(config.dataDir, 'jwt-secret', 48) : undefined),
    onInternalError: (err) => logger.error({ err }, 'Internal error'),
    schemaCacheStats: { loads: 0, failures: 0, lastLoadSeconds: undefined },
    step,
  })
  return inProcessClient(
    { base: config, host, serverUrl, logger },
    { where: embedded ? `the embedded database in ${config.dataDir}` : 'the database directly', close: () => host.close() },
  )
}

/** One line naming who holds the data folder and what to do. */
export function busyMessage(dataDir: string, err: DataFolderBusy): string {
  const server = runningServer(dataDir)
  const holder = server?.pid === err.owner.pid ? `, serving ${server.url}` : ` (${err.owner.purpose})`
  const advice = server?.pid === err.owner.pid ? 'stop it, or use --url' : 'wait for it to finish, or stop it'
  return `${dataDir} is in use by data-api pid ${err.owner.pid}${holder}: ${advice}`
}
