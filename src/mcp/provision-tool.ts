/**
 * provision_data_api, modelled on the hosted MCP server's provision_neon_data_api: without an auth
 * provider it answers a short menu of the choices and the database's current state; with one it
 * enables the Data API (or answers the URL it already has) and shows how to call it.
 */
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'
import type { AdminClient } from '../admin/admin-client.js'
import { AdminError, type Operation } from '../admin/operation.js'
import { errorText, textResult } from './tool-result.js'

const input = z
  .object({
    projectId: z.string().optional().describe('the project (this server has one; optional)'),
    branchId: z.string().optional().describe('the branch (default main)'),
    databaseName: z.string().optional().describe('the database (default: the server’s default database)'),
    authProvider: z
      .enum(['neon_auth', 'external', 'none'])
      .optional()
      .describe('neon_auth: the built-in auth service (recommended); external: your identity provider’s JWKS URL; none: configure later'),
    jwksUrl: z.string().optional().describe('the JWKS URL of your identity provider (authProvider external)'),
    providerName: z.string().optional().describe('its name, e.g. Clerk, Auth0'),
    jwtAudience: z.string().optional().describe('tokens must carry this audience'),
    provisionNeonAuthFirst: z.boolean().optional().describe('accepted for compatibility: the built-in auth service needs no separate provisioning'),
    addDefaultGrants: z.boolean().optional().describe('grant role authenticated the use of schema public'),
  })
  .strict()

export const PROVISION_TOOL: Tool = {
  name: 'provision_data_api',
  title: 'Provision the Data API',
  description:
    'Sets up the Data API (PostgREST-compatible REST over the database) on a database. Call it without authProvider first to see the choices and the current state; then with authProvider neon_auth (the built-in auth service, recommended), external (with jwksUrl) or none.',
  inputSchema: { ...(z.toJSONSchema(input, { io: 'input' }) as Record<string, unknown>), type: 'object' } as Tool['inputSchema'],
  annotations: { title: 'Provision the Data API', readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
}

function operation(operations: readonly Operation[], name: string): Operation {
  const found = operations.find((o) => o.name === name)
  if (!found) throw new Error(`operation ${name} is missing`)
  return found
}

function howToCall(url: string): string {
  return ['Try it:', '```sh', `curl "${url}/your_table" -H "Authorization: Bearer <your-jwt-token>"`, '```'].join('\n')
}

export async function provision(client: AdminClient, operations: readonly Operation[], args: Record<string, unknown>): Promise<CallToolResult> {
  const parsed = input.safeParse(args)
  if (!parsed.success) return textResult(parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('\n'), true)
  const a = parsed.data
  if (a.authProvider === 'external' && !a.jwksUrl) return textResult('jwksUrl is required when authProvider is "external"', true)
  const target = { database_name: a.databaseName, branch_id: a.branchId }
  let existing: { url: string; status: string; auth?: { provider?: string } } | undefined
  try {
    existing = (await client.call(operation(operations, 'get_data_api'), target)) as typeof existing
  } catch (err) {
    if (!(err instanceof AdminError) || err.status !== 404) return textResult(errorText(err), true)
  }
  const database = a.databaseName ?? 'the default database'
  if (existing) {
    return textResult(
      [
        `The Data API is already enabled for ${database} (status: ${existing.status}, auth provider: ${existing.auth?.provider ?? 'unknown'}).`,
        `URL: ${existing.url}`,
        '',
        howToCall(existing.url),
      ].join('\n'),
    )
  }
  if (!a.authProvider) {
    return textResult(
      [
        `The Data API is not enabled for ${database} yet. Call provision_data_api again with one of:`,
        '',
        '1. **authProvider: "neon_auth"** (recommended): the built-in auth service signs users up and in at `{server}/{database}/auth`, and the Data API trusts its tokens.',
        '2. **authProvider: "external"** with **jwksUrl**: tokens from your identity provider (Auth0, Clerk, Cognito, Firebase, Keycloak, any JWKS URL), optionally jwtAudience.',
        '3. **authProvider: "none"**: enable now, configure an identity provider later (add_auth_provider); until then only anonymous requests work.',
        '',
        'Add addDefaultGrants: true to let signed-in users (role authenticated) use the tables of schema public; protect them with row-level security.',
      ].join('\n'),
    )
  }
  try {
    const created = (await client.call(operation(operations, 'create_data_api'), {
      ...target,
      auth_provider: a.authProvider,
      jwks_url: a.jwksUrl,
      provider_name: a.providerName,
      jwt_audience: a.jwtAudience,
      add_default_grants: a.addDefaultGrants,
    })) as { url: string; grants?: string[] }
    const auth =
      a.authProvider === 'neon_auth'
        ? `Users sign up and in at ${created.url.replace(/\/rest\/v1$/, '/auth')} (POST /sign-up/email, /sign-in/email; the JWT comes in the set-auth-jwt header of GET /get-session).`
        : a.authProvider === 'external'
          ? `Tokens from ${a.providerName ?? a.jwksUrl} are verified with ${a.jwksUrl}.`
          : 'No identity provider yet: configure one (add_auth_provider) before the Data API can be used with tokens.'
    return textResult(
      [
        `Data API enabled for ${database}.`,
        `URL: ${created.url}`,
        auth,
        ...(created.grants ? ['', 'Granted to role authenticated:', ...created.grants] : []),
        '',
        howToCall(created.url),
        '',
        'Create tables with run_sql, enable row-level security on each (enable_rls) and check list_advisor_issues.',
      ].join('\n'),
    )
  } catch (err) {
    if (err instanceof AdminError && err.status === 409 && typeof err.extra.url === 'string') {
      return textResult([`The Data API is already enabled for ${database}.`, `URL: ${err.extra.url}`, '', howToCall(err.extra.url)].join('\n'))
    }
    return textResult(errorText(err), true)
  }
}
