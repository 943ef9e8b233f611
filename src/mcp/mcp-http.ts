/**
 * /mcp: the MCP server over Streamable HTTP, stateless (a new transport per request, so any worker
 * of any server answers any request). The admin key is required, as for the management API.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import type { AdminClient } from '../admin/admin-client.js'
import type { Operation } from '../admin/operation.js'
import { createMcpServer } from './mcp-server.js'

export async function handleMcpHttp(
  req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
  client: AdminClient,
  operations: readonly Operation[],
  version: string,
): Promise<void> {
  const server = createMcpServer(client, operations, version)
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true })
  res.once('close', () => {
    void transport.close()
    void server.close()
  })
  await server.connect(transport)
  await transport.handleRequest(req, res, body)
}
