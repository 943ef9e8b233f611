/**
 * The MCP server, with the SDK's own Client: over Streamable HTTP at /mcp (admin key required) and
 * over stdio (`data-api mcp`, spawned), where the tools work on the embedded database directly.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cleanEnv } from './support/clean-env.js'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

type Text = { content: { type: string; text: string }[]; isError?: boolean }
const text = (result: unknown) => (result as Text).content.map((c) => c.text).join('\n')

describe.each(backends)('MCP over HTTP on %s', (backend) => {
  let s: TestServer
  let client: Client
  const extra = `mcp_${randomBytes(4).toString('hex')}`

  beforeAll(async () => {
    s = await startTestServer(backend)
    client = new Client({ name: 'spec', version: '1.0.0' })
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${s.app.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${s.app.adminKey}` } } }),
    )
  })
  afterAll(async () => {
    await client?.close()
    await fetch(`${s.app.url}/api/v2/projects/local/branches/main/databases/${extra}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${s.app.adminKey}` },
    }).catch(() => undefined)
    await s?.close()
  })

  it('lists one tool per operation, with read-only and destructive hints, and provision_data_api', async () => {
    const { tools } = await client.listTools()
    const byName = new Map(tools.map((t) => [t.name, t]))
    expect(byName.get('provision_data_api')?.inputSchema.properties).toHaveProperty('authProvider')
    expect(byName.get('get_data_api')?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false })
    expect(byName.get('run_sql')?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true })
    expect(byName.get('query')?.annotations).toMatchObject({ readOnlyHint: true })
    expect(byName.get('update_data_api')?.inputSchema.properties).toHaveProperty('settings')
    expect(byName.has('list_projects')).toBe(false)
  })

  it('runs operations and answers their JSON', async () => {
    const got = JSON.parse(text(await client.callTool({ name: 'get_data_api', arguments: {} }))) as { url: string; status: string }
    expect(got).toMatchObject({ url: `${s.app.url}/${s.app.db.name}/rest/v1`, status: 'active' })
    const created = await client.callTool({ name: 'run_sql', arguments: { sql: 'create table mcp_notes (id int primary key)' } })
    expect(created.isError).toBeFalsy()
    const tables = JSON.parse(text(await client.callTool({ name: 'list_tables', arguments: { schemas: ['public'] } }))) as { tables: { name: string }[] }
    expect(tables.tables.map((t) => t.name)).toContain('mcp_notes')
  })

  it('answers bad input with the same text as the other faces', async () => {
    const bad = await client.callTool({ name: 'run_sql', arguments: { sql: '' } })
    expect([bad.isError, text(bad)]).toEqual([true, 'Invalid input: sql: give the SQL to run'])
    const sqlError = await client.callTool({ name: 'run_sql', arguments: { sql: 'select * from nowhere' } })
    expect(sqlError.isError).toBe(true)
    expect(text(sqlError)).toBe('relation "nowhere" does not exist\ndetail: null\nhint: null\nposition: 15')
  })

  it('provisions the Data API: a menu first, a clear error for external without jwksUrl, then the URL and a curl example', async () => {
    await client.callTool({ name: 'create_database', arguments: { database: { name: extra } } })
    const menu = text(await client.callTool({ name: 'provision_data_api', arguments: { databaseName: extra } }))
    expect(menu).toContain(`The Data API is not enabled for ${extra} yet.`)
    expect(menu).toContain('**authProvider: "neon_auth"** (recommended)')
    const missing = await client.callTool({ name: 'provision_data_api', arguments: { databaseName: extra, authProvider: 'external' } })
    expect([missing.isError, text(missing)]).toEqual([true, 'jwksUrl is required when authProvider is "external"'])
    const done = text(await client.callTool({ name: 'provision_data_api', arguments: { databaseName: extra, authProvider: 'none', addDefaultGrants: true } }))
    expect(done).toContain(`URL: ${s.app.url}/${extra}/rest/v1`)
    expect(done).toContain(`curl "${s.app.url}/${extra}/rest/v1/your_table" -H "Authorization: Bearer <your-jwt-token>"`)
    expect(done).toContain('GRANT USAGE ON SCHEMA public TO authenticated;')
    const again = text(await client.callTool({ name: 'provision_data_api', arguments: { databaseName: extra, authProvider: 'neon_auth' } }))
    expect(again).toContain(`The Data API is already enabled for ${extra}`)
    expect(again).toContain(`URL: ${s.app.url}/${extra}/rest/v1`)
  })

  it('refuses /mcp without the admin key', async () => {
    const res = await fetch(`${s.app.url}/mcp`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })
    expect(res.status).toBe(401)
  })
})

describe('MCP over stdio (data-api mcp) on the embedded database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'data-api-mcp-'))
  let client: Client

  beforeAll(async () => {
    client = new Client({ name: 'spec', version: '1.0.0' })
    await client.connect(
      new StdioClientTransport({
        command: 'node',
        args: ['--import', 'tsx', 'src/cli/main.ts', 'mcp'],
        env: { ...cleanEnv(), DATA_API_DIR: dir, DATA_API_LOG_LEVEL: 'silent' } as Record<string, string>,
        cwd: process.cwd(),
        stderr: 'ignore',
      }),
    )
  })
  afterAll(async () => {
    await client?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('works on the data folder directly when no server runs', async () => {
    expect((await client.listTools()).tools.length).toBeGreaterThan(20)
    const sql = await client.callTool({ name: 'run_sql', arguments: { sql: 'create table stdio_notes (id int primary key); insert into stdio_notes values (1), (2)' } })
    expect(sql.isError).toBeFalsy()
    const read = JSON.parse(text(await client.callTool({ name: 'query', arguments: { sql: 'select count(*) as n from stdio_notes' } }))) as {
      results: { rows: { n: string }[] }[]
    }
    expect(read.results[0]!.rows).toEqual([{ n: '2' }])
    const advisors = JSON.parse(text(await client.callTool({ name: 'list_advisor_issues', arguments: {} }))) as { issues: { name: string; detail: string }[] }
    expect(advisors.issues).toContainEqual(expect.objectContaining({ name: 'rls_disabled_in_public', detail: 'Table `public.stdio_notes` is public, but RLS has not been enabled.' }))
  })
})
