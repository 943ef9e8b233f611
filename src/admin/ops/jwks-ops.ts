/**
 * The identity providers a database trusts (the hosted `/projects/{p}/jwks` routes): list, add,
 * remove. One provider at a time, as in the hosted product: replacing one is remove, then add.
 */
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import type { JwksProvider } from '../../config/settings-catalog.js'
import type { AdminContext } from '../admin-context.js'
import { withTarget, describeDatabase } from '../admin-context.js'
import { enabledState } from '../data-api-state.js'
import { target } from '../inputs.js'
import { badRequest, conflict, defineOperation, notFound } from '../operation.js'
import { writeSettings } from '../settings-store.js'

export function newJwksProvider(input: Readonly<{ jwks_url: string; provider_name?: string; jwt_audience?: string }>): JwksProvider {
  const now = new Date().toISOString()
  return {
    id: randomUUID(),
    jwks_url: input.jwks_url,
    provider_name: input.provider_name ?? new URL(input.jwks_url).hostname,
    ...(input.jwt_audience ? { jwt_audience: input.jwt_audience } : {}),
    created_at: now,
    updated_at: now,
  }
}

/** The hosted JWKS object. */
function describe(ctx: AdminContext, provider: JwksProvider, branch: string) {
  return {
    id: provider.id,
    project_id: ctx.base.projectId,
    branch_id: branch,
    jwks_url: provider.jwks_url,
    provider_name: provider.provider_name,
    created_at: provider.created_at,
    updated_at: provider.updated_at,
    ...(provider.jwt_audience ? { jwt_audience: provider.jwt_audience } : {}),
    role_names: ['authenticator', 'authenticated', 'anonymous'],
  }
}

function pinnedJwks(ctx: AdminContext): void {
  const variable = ctx.base.pinned.jwks ?? ctx.base.pinned.auth_provider
  if (variable) {
    throw badRequest(
      variable === 'override'
        ? 'The identity provider is fixed by the configuration this server was started with.'
        : `The identity provider is set by the environment variable ${variable} on this server; unset it to manage providers here.`,
    )
  }
}

export const listJwks = defineOperation({
  name: 'list_auth_providers',
  title: 'List identity providers',
  description: 'The identity providers (JWKS URLs) whose tokens the Data API of a database accepts.',
  input: z.object({ ...target }).strict(),
  readOnly: true,
  http: { method: 'GET', path: '/projects/{project_id}/jwks', query: ['branch_id', 'database_name'] },
  cli: { command: ['auth', 'providers', 'list'], examples: ['data-api auth providers list'] },
  run: async (ctx, input) =>
    withTarget(ctx, input, async (db, name) => {
      const state = await enabledState(ctx.base, db, name)
      const providers = state.resolved.settings.jwks!.value as JwksProvider[]
      return { jwks: providers.map((p) => describe(ctx, p, input.branch_id ?? 'main')) }
    }),
})

export const addJwks = defineOperation({
  name: 'add_auth_provider',
  title: 'Add an identity provider',
  description:
    'Trusts the tokens an identity provider signs (Auth0, Clerk, Cognito, Firebase, Keycloak, ... any JWKS URL), optionally only with a given audience. The Data API then verifies tokens with its keys.',
  input: z
    .object({
      ...target,
      jwks_url: z.string().regex(/^https?:\/\/\S+$/i, 'must be an http(s) URL').describe('the provider’s JWKS URL'),
      provider_name: z.string().min(1).max(100).describe('a name for it, e.g. Clerk'),
      jwt_audience: z.string().min(1).optional().describe('tokens must carry this audience'),
      role_names: z.array(z.string()).max(10).optional().describe('accepted for compatibility; ignored'),
      skip_role_creation: z.boolean().optional().describe('accepted for compatibility; ignored'),
    })
    .strict(),
  http: { method: 'POST', path: '/projects/{project_id}/jwks', status: 201 },
  cli: {
    command: ['auth', 'providers', 'add'],
    examples: ['data-api auth providers add --jwks-url https://example.clerk.accounts.dev/.well-known/jwks.json --provider-name Clerk'],
  },
  run: async (ctx, input) =>
    withTarget(ctx, input, async (db, name) => {
      pinnedJwks(ctx)
      const state = await enabledState(ctx.base, db, name)
      const current = state.resolved.settings.jwks!.value as JwksProvider[]
      if (current.length > 0) {
        throw conflict(`The ${describeDatabase(name)} already trusts ${current[0]!.provider_name} (${current[0]!.jwks_url}); remove it first (one provider at a time).`)
      }
      const provider = newJwksProvider(input)
      await writeSettings(db, { jwks: [provider], auth_provider: state.resolved.settings.auth_provider!.value === 'neon_auth' ? 'neon_auth' : 'external' })
      await ctx.host.changed(name)
      return { jwks: describe(ctx, provider, input.branch_id ?? 'main'), operations: [] }
    }),
})

export const deleteJwks = defineOperation({
  name: 'remove_auth_provider',
  title: 'Remove an identity provider',
  description: 'Stops trusting an identity provider: its tokens are refused from the next request on.',
  input: z
    .object({
      ...target,
      jwks_id: z.string().min(1).describe('the provider’s id (list_auth_providers)'),
    })
    .strict(),
  destructive: true,
  http: { method: 'DELETE', path: '/projects/{project_id}/jwks/{jwks_id}', query: ['branch_id', 'database_name'] },
  cli: { command: ['auth', 'providers', 'remove'], args: ['jwks_id'], examples: ['data-api auth providers remove 3f2a…'] },
  run: async (ctx, input) =>
    withTarget(ctx, input, async (db, name) => {
      pinnedJwks(ctx)
      const state = await enabledState(ctx.base, db, name)
      const current = state.resolved.settings.jwks!.value as JwksProvider[]
      const gone = current.find((p) => p.id === input.jwks_id)
      if (!gone) throw notFound(`No identity provider with id "${input.jwks_id}" on ${describeDatabase(name)}.`)
      const rest = current.filter((p) => p !== gone)
      const patch: Record<string, unknown> = { jwks: rest }
      if (rest.length === 0 && state.resolved.settings.auth_provider!.value === 'external') patch.auth_provider = 'none'
      await writeSettings(db, patch)
      await ctx.host.changed(name)
      return describe(ctx, gone, input.branch_id ?? 'main')
    }),
})
