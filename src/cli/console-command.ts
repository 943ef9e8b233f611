/**
 * `data-api console`: a new one-time sign-in link to the web console, for when the one the banner
 * printed has been used or has expired. A link is signed with the admin key, so any process that
 * knows the key can make one the server accepts: the running embedded server's (its server.json),
 * or DATA_API_ADMIN_KEY (--admin-key) for the server at --url (or DATA_API_PUBLIC_URL, HOST:PORT).
 */
import type { Command } from 'commander'
import type { AppConfig } from '../config/app-config.js'
import { ConsoleSessions, consoleLoginUrl, LOGIN_LINK_SECONDS } from '../server/console-session.js'
import { runningServer } from '../serving/local-state.js'
import { CliError } from './cli-client.js'

type ConsoleFlags = { url?: string; adminKey?: string }

/** The server's address and admin key: the flags, else the running embedded server, else the configuration. */
function server(config: AppConfig, flags: ConsoleFlags): { url: string; adminKey: string } {
  const running = config.databaseUrl === undefined && !flags.url ? runningServer(config.dataDir) : undefined
  const url = flags.url ?? running?.url ?? config.publicUrl ?? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`
  const adminKey = flags.adminKey ?? running?.adminKey ?? config.adminKey
  if (!adminKey) {
    throw new CliError(
      config.databaseUrl === undefined && !flags.url
        ? `No data-api server is running on ${config.dataDir}: start it with data-api serve (its banner prints a sign-in link).`
        : 'The console needs the server’s admin key: --admin-key KEY, or DATA_API_ADMIN_KEY.',
    )
  }
  return { url, adminKey }
}

export function registerConsoleCommand(program: Command, deps: Readonly<{ config: () => AppConfig; fail: (err: unknown) => never }>): void {
  program
    .command('console')
    .description(`print a one-time sign-in link to the web console (valid ${LOGIN_LINK_SECONDS / 60} minutes)`)
    .option('--url <url>', 'the server, as the browser reaches it (default: the running embedded server, DATA_API_PUBLIC_URL or HOST:PORT)')
    .option('--admin-key <key>', 'its admin key (default: the running embedded server’s, or DATA_API_ADMIN_KEY)')
    .addHelpText('after', '\nExamples:\n  $ data-api console\n  $ DATA_API_ADMIN_KEY=... data-api console --url https://api.example.com\n')
    .action((flags: ConsoleFlags) => {
      try {
        const { url, adminKey } = server(deps.config(), flags)
        console.log(consoleLoginUrl(url, new ConsoleSessions(adminKey)))
      } catch (err) {
        deps.fail(err)
      }
    })
}
