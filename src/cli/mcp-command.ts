/**
 * `data-api mcp`: the MCP server on standard input/output, for an editor or agent to start. Its
 * tools run through the running server when there is one, else straight on the database.
 */
import type { Command } from 'commander'
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { OPERATIONS } from '../admin/registry.js'
import type { AppConfig } from '../config/app-config.js'
import { createMcpServer } from '../mcp/mcp-server.js'
import { VERSION } from '../server/version.js'
import { cliClient, type ConnectionFlags } from './cli-client.js'

export function registerMcpCommand(program: Command, deps: Readonly<{ config: () => AppConfig; fail: (err: unknown) => never }>): void {
  program
    .command('mcp')
    .description('serve the management operations as MCP tools on standard input/output (for AI agents and editors)')
    .option('--url <url>', 'a running data-api server (default: the one using the data folder, else the database directly)')
    .option('--admin-key <key>', 'the admin key of --url (default DATA_API_ADMIN_KEY)')
    .option('--database-url <url>', 'work on this PostgreSQL database directly (default DATABASE_URL)')
    .addHelpText('after', '\nExamples:\n  $ data-api mcp\n  $ data-api mcp --url https://api.example.com --admin-key "$KEY"\n\nSee docs/mcp.md for an editor configuration.\n')
    .action(async (options: ConnectionFlags) => {
      try {
        const client = await cliClient(deps.config(), options)
        const server = createMcpServer(client, OPERATIONS, VERSION)
        const transport = new StdioServerTransport()
        transport.onclose = () => {
          void client.close().finally(() => process.exit(0))
        }
        await server.connect(transport)
      } catch (err) {
        deps.fail(err)
      }
    })
}
