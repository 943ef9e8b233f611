#!/usr/bin/env node
/**
 * The data-api command line: `serve`, `token`, `mcp`, and one command per management operation
 * (create, get, update, refresh-schema, delete, sql, query, tables, advisors, auth ..., status),
 * which go through the running server when there is one and straight to the database otherwise.
 */
import { Command } from 'commander'
import { AdminError } from '../admin/operation.js'
import { OPERATIONS } from '../admin/registry.js'
import { ConfigError, loadConfig } from '../config/load-config.js'
import { VERSION } from '../server/version.js'
import { protectDashedText, registerAdminCommands } from './admin-commands.js'
import { CliError } from './cli-client.js'
import { registerConnectionStringCommand } from './connection-string-command.js'
import { registerConsoleCommand } from './console-command.js'
import { registerMcpCommand } from './mcp-command.js'
import { registerServeCommand } from './serve-command.js'
import { registerTokenCommand } from './token-command.js'

const config = () => loadConfig()

function fail(err: unknown): never {
  if (err instanceof ConfigError || err instanceof CliError) console.error(err.message)
  else if (err instanceof AdminError) {
    const sqlstate = /^[0-9A-Z]{5}$/.test(err.code) && /\d/.test(err.code)
    console.error(`ERROR: ${err.message}${sqlstate ? ` (${err.code})` : ''}`)
    if (typeof err.extra.detail === 'string') console.error(`DETAIL: ${err.extra.detail}`)
    if (typeof err.extra.hint === 'string') console.error(`HINT: ${err.extra.hint}`)
    if (typeof err.extra.url === 'string') console.error(`URL: ${err.extra.url}`)
  } else {
    const e = err as { message?: string; code?: string }
    console.error(`ERROR: ${e.message ?? String(err)}${e.code ? ` (${e.code})` : ''}`)
  }
  process.exit(1)
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

const program = new Command()
program
  .name('data-api')
  .description('A PostgREST-compatible Data API for PostgreSQL (embedded PGlite by default)')
  .version(VERSION, '-v, --version', 'print the version')
  .showHelpAfterError('(data-api --help lists the commands)')
  .addHelpText(
    'after',
    `
Examples:
  $ data-api serve                                 # the embedded database at http://127.0.0.1:3000/neondb/rest/v1
  $ data-api sql "create table notes (id int primary key, body text)"
  $ data-api token --sub alice                     # a token for user alice
  $ data-api create --database shop --add-default-grants
  $ data-api update --db-max-rows 100
  $ data-api advisors
  $ data-api console                               # a sign-in link to the web console
  $ DATABASE_URL=postgres://... data-api serve     # serve a real PostgreSQL

Settings: docs/settings.md. Management commands reach the running server (its data folder's server.json, or --url);
without one they work on the database directly.
`,
  )

registerServeCommand(program, { fail })
registerTokenCommand(program, { config, fail })
registerMcpCommand(program, { config, fail })
registerConnectionStringCommand(program, { config, fail })
registerConsoleCommand(program, { config, fail })
registerAdminCommands(program, OPERATIONS, { config, fail, readStdin })

program.parseAsync(protectDashedText(process.argv)).catch(fail)
