/**
 * The MCP face: one tool per management operation (readOnlyHint / destructiveHint from its
 * declaration, the input's JSON Schema from its zod schema), plus provision_data_api for agents that
 * set a database up from nothing. Tools run through an AdminClient: in the server's process for
 * /mcp, through the running server (or straight to the database) for `data-api mcp` on stdio.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { CallToolRequestSchema, ListToolsRequestSchema, type Tool } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'
import type { AdminClient } from '../admin/admin-client.js'
import type { Operation } from '../admin/operation.js'
import { PROVISION_TOOL, provision } from './provision-tool.js'
import { errorText, textResult } from './tool-result.js'

function inputJsonSchema(schema: z.ZodType): Tool['inputSchema'] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>
  const { $schema: _ignored, ...rest } = json
  return { ...rest, type: 'object' } as Tool['inputSchema']
}

export function operationTool(operation: Operation): Tool {
  return {
    name: operation.name,
    title: operation.title,
    description: operation.description,
    inputSchema: inputJsonSchema(operation.input),
    annotations: {
      title: operation.title,
      readOnlyHint: operation.readOnly === true,
      destructiveHint: operation.destructive === true,
      idempotentHint: operation.readOnly === true,
      openWorldHint: false,
    },
  }
}

export function createMcpServer(client: AdminClient, operations: readonly Operation[], version: string): Server {
  const tools = operations.filter((o) => o.mcp !== false)
  const byName = new Map(tools.map((o) => [o.name, o]))
  const server = new Server(
    { name: 'data-api', version },
    {
      capabilities: { tools: {} },
      instructions:
        'Manage a data-api server: a PostgREST-compatible Data API over PostgreSQL. Start with provision_data_api to enable the API on a database, run_sql to create tables, list_advisor_issues to find tables without row-level security.',
    },
  )
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [PROVISION_TOOL, ...tools.map(operationTool)] }))
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const args = (request.params.arguments ?? {}) as Record<string, unknown>
    if (request.params.name === PROVISION_TOOL.name) return provision(client, operations, args)
    const operation = byName.get(request.params.name)
    if (!operation) return textResult(`Unknown tool ${request.params.name}`, true)
    try {
      const output = await client.call(operation, args)
      return textResult(JSON.stringify(output, null, 2))
    } catch (err) {
      return textResult(errorText(err), true)
    }
  })
  return server
}
