/**
 * `data-api connection-string`: the PostgreSQL URL of the database, for psql, pg_dump, drizzle-kit or
 * a driver. Embedded, that is the running server's Postgres-protocol listener (the data folder has one
 * owner, so tools reach the database through the server); with DATABASE_URL, that URL.
 */
import type { Command } from 'commander'
import type { AppConfig } from '../config/app-config.js'
import { runningServer } from '../serving/local-state.js'
import { CliError } from './cli-client.js'

export function registerConnectionStringCommand(program: Command, deps: Readonly<{ config: () => AppConfig; fail: (err: unknown) => never }>): void {
  program
    .command('connection-string')
    .description('print the PostgreSQL URL of the database (embedded: the running server’s Postgres-protocol port)')
    .addHelpText('after', '\nExamples:\n  $ psql "$(data-api connection-string)"\n  $ DATABASE_URL=$(data-api connection-string) npx drizzle-kit migrate\n')
    .action(() => {
      try {
        const config = deps.config()
        if (config.databaseUrl) {
          console.log(config.databaseUrl)
          return
        }
        const server = runningServer(config.dataDir)
        if (!server) {
          throw new CliError(
            `No data-api server is running on ${config.dataDir}: start it with data-api serve (tools reach the embedded database through it).`,
          )
        }
        if (!server.wireUrl) {
          throw new CliError('The running server does not listen on the Postgres protocol: start it with DATA_API_WIRE_PORT set (5433, or 0 for any free port).')
        }
        console.log(server.wireUrl)
      } catch (err) {
        deps.fail(err)
      }
    })
}
