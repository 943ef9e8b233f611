/**
 * The Data API of a database: create (enable), get, update, refresh-schema, delete (disable), in
 * the hosted management API's shapes (`/projects/{p}/branches/{b}/data-api/{db}`) and neonctl's
 * command names.
 */
import { z } from 'zod'
import { resolveAuthProvider } from '../../auth-service/auth-service.js'
import { patchProblems } from '../../config/resolve-config.js'
import { API_SETTING_KEYS, type JwksProvider } from '../../config/settings-catalog.js'
import { restUrl, withTarget, describeDatabase } from '../admin-context.js'
import { availableSchemas, dataApiState, enabledState, refreshSchema } from '../data-api-state.js'
import { authenticatorUrl, DEFAULT_GRANTS, disableDatabase, enableDatabase } from '../enable-database.js'
import { apiSettings, flag, target } from '../inputs.js'
import { badRequest, conflict, defineOperation, SENTENCE } from '../operation.js'
import { writeSettings } from '../settings-store.js'
import { newJwksProvider } from './jwks-ops.js'

const DATA_API_PATH = '/projects/{project_id}/branches/{branch_id}/data-api/{database_name}'

function settingsProblems(base: Parameters<typeof patchProblems>[0], settings: Readonly<Record<string, unknown>>): void {
  const problems = patchProblems(base, settings)
  if (problems.length > 0) {
    throw badRequest(`Invalid settings: ${problems.map((p) => `${p.key} ${p.message}`).join('; ')}`, {
      errors: problems.map((p) => ({ path: `settings.${p.key}`, message: p.message })),
    })
  }
}

export const createDataApi = defineOperation({
  name: 'create_data_api',
  title: 'Enable the Data API',
  description:
    'Enables the Data API on a database: creates the request roles, the auth.* functions and data-api’s own schema, stores the settings, and optionally applies the four "grant public schema access" statements. Answers the REST URL.',
  input: z
    .object({
      ...target,
      auth_provider: z.enum(['neon_auth', 'external', 'none']).optional().describe('neon_auth: the built-in auth service; external: a JWKS URL; none: neither'),
      jwks_url: z.string().regex(/^https?:\/\/\S+$/i, 'must be an http(s) URL').optional().describe('the identity provider’s JWKS URL (auth_provider external)'),
      provider_name: z.string().min(1).max(100).optional().describe('the identity provider’s name, e.g. Clerk, Auth0'),
      jwt_audience: z.string().min(1).optional().describe('tokens must carry this audience'),
      jwt_issuer: z.string().min(1).optional().describe('tokens must come from this issuer (iss)'),
      add_default_grants: z.boolean().optional().describe('grant role authenticated the use of schema public (tables, sequences, future tables)'),
      skip_auth_schema: z.boolean().optional().describe('do not create the auth schema and its functions'),
      reset_authenticator_password: z
        .boolean()
        .optional()
        .describe('PostgreSQL: give role authenticator a new password (answered once) even though it exists'),
      settings: apiSettings.optional(),
    })
    .strict(),
  destructive: false,
  http: { method: 'POST', path: DATA_API_PATH, status: 201 },
  cli: {
    command: ['create'],
    aliases: ['enable'],
    examples: [
      'data-api create --auth-provider neon_auth --add-default-grants',
      'data-api create --auth-provider external --jwks-url https://example.clerk.accounts.dev/.well-known/jwks.json --provider-name Clerk',
      'data-api create --database shop --db-schemas public,api --db-max-rows 1000',
    ],
  },
  run: async (ctx, input) =>
    withTarget(ctx, input, async (db, name) => {
      const provider = input.auth_provider ?? (input.jwks_url ? 'external' : undefined)
      if (provider === 'external' && !input.jwks_url) throw badRequest('jwks_url is required when auth_provider is "external"')
      if (provider !== 'external' && input.jwks_url) throw badRequest('jwks_url goes with auth_provider "external"')
      settingsProblems(ctx.base, input.settings ?? {})
      const state = await dataApiState(ctx.base, db)
      if (state.enabled) throw conflict(`The Data API is already enabled for ${describeDatabase(name)}.`, { url: restUrl(ctx, name) })
      const auth: Record<string, unknown> = {}
      if (provider) auth.auth_provider = provider
      if (provider === 'external') {
        auth.jwks = [newJwksProvider({ jwks_url: input.jwks_url!, provider_name: input.provider_name, jwt_audience: input.jwt_audience })] satisfies JwksProvider[]
      } else if (input.jwt_audience) auth.jwt_audience = [input.jwt_audience]
      if (input.jwt_issuer) auth.jwt_issuer = [input.jwt_issuer]
      settingsProblems(ctx.base, auth)
      const result = await enableDatabase(db, {
        grantPublicSchema: input.add_default_grants === true,
        settings: { ...input.settings, ...auth },
        // a database enabled again starts from the defaults
        clear: Object.keys(state.stored),
        skipAuthSchema: input.skip_auth_schema === true,
        resetPassword: input.reset_authenticator_password === true,
      })
      const connection = ctx.host.store.connectionUrl(name)
      await ctx.host.changed(name)
      return {
        url: restUrl(ctx, name),
        ...(input.add_default_grants ? { grants: DEFAULT_GRANTS } : {}),
        ...(result.password ? { authenticator_password: result.password } : {}),
        ...(result.password && connection ? { authenticator_url: authenticatorUrl(connection, result.password) } : {}),
        ...(result.warnings.length > 0 ? { warnings: result.warnings } : {}),
      }
    }),
})

export const getDataApi = defineOperation({
  name: 'get_data_api',
  title: 'Show the Data API',
  description:
    'The Data API of a database: its URL, status, every setting with where its value comes from (default, database or environment), and the schemas it could expose.',
  input: z.object({ ...target }).strict(),
  readOnly: true,
  http: { method: 'GET', path: DATA_API_PATH },
  cli: { command: ['get'], examples: ['data-api get', 'data-api get --database shop --output json'] },
  run: async (ctx, input) =>
    withTarget(ctx, input, async (db, name) => {
      const state = await enabledState(ctx.base, db, name)
      const settings = state.resolved.settings
      return {
        url: restUrl(ctx, name),
        status: 'active',
        settings: Object.fromEntries(API_SETTING_KEYS.map((k) => [k, settings[k]!.value])),
        available_schemas: await availableSchemas(db),
        auth: {
          provider: resolveAuthProvider(state.resolved.config) === 'built-in' ? 'neon_auth' : state.resolved.config.jwksUrl ? 'external' : 'none',
          jwks_url: state.resolved.config.jwksUrl ?? null,
          jwt_audience: state.resolved.config.jwtAudience ?? null,
          jwt_issuer: state.resolved.config.jwtIssuer ?? null,
        },
        setting_sources: Object.fromEntries(
          Object.entries(settings).map(([k, s]) => [k, s.variable ? `${s.source} (${s.variable})` : s.source]),
        ),
      }
    }),
})

export const updateDataApi = defineOperation({
  name: 'update_data_api',
  title: 'Change Data API settings',
  description:
    'Changes settings of a database’s Data API; they apply on the next request of every server. By default the given settings merge with the current ones; replace: true resets every setting not given. Always refreshes the schema cache.',
  input: z
    .object({
      ...target,
      settings: apiSettings.optional(),
      replace: flag.default(false).describe('reset every setting not given to its default (the hosted PATCH always does)'),
    })
    .strict()
    .refine((i) => i.settings !== undefined && Object.keys(i.settings).length > 0, {
      message: 'No settings given. Pass at least one setting to update, or use refresh-schema to reload the schema cache.',
      path: ['settings'],
      params: SENTENCE,
    }),
  destructive: true,
  http: { method: 'PATCH', path: DATA_API_PATH, status: 201, query: ['replace'], defaults: { replace: true }, when: (body) => body.settings !== undefined },
  cli: {
    command: ['update'],
    examples: ['data-api update --db-max-rows 100', 'data-api update --replace --db-schemas public,api', 'data-api update --server-timing-enabled true'],
  },
  run: async (ctx, input) =>
    withTarget(ctx, input, async (db, name) => {
      const settings = input.settings ?? {}
      await enabledState(ctx.base, db, name)
      settingsProblems(ctx.base, settings)
      const remove = input.replace ? API_SETTING_KEYS.filter((k) => !(k in settings) && ctx.base.pinned[k] === undefined) : []
      await writeSettings(db, settings, remove)
      await ctx.host.changed(name)
      await refreshSchema(ctx, db, name)
      return {}
    }),
})

export const refreshDataApiSchema = defineOperation({
  name: 'refresh_schema_cache',
  title: 'Refresh the schema cache',
  description: 'Reloads the schema cache of every server serving the database, so new tables, columns and functions appear in the API.',
  input: z.object({ ...target }).strict(),
  readOnly: true,
  http: { method: 'PATCH', path: DATA_API_PATH, status: 201, when: (body) => body.settings === undefined },
  cli: { command: ['refresh-schema'], examples: ['data-api refresh-schema', 'data-api refresh-schema --database shop'] },
  run: async (ctx, input) =>
    withTarget(ctx, input, async (db, name) => {
      await enabledState(ctx.base, db, name)
      await refreshSchema(ctx, db, name)
      return {}
    }),
})

export const deleteDataApi = defineOperation({
  name: 'delete_data_api',
  title: 'Disable the Data API',
  description:
    'Disables the Data API of a database at once (its URL answers 404) and forgets its settings; tables, roles and grants stay. Enabling it again starts from the default settings.',
  input: z.object({ ...target }).strict(),
  destructive: true,
  http: { method: 'DELETE', path: DATA_API_PATH },
  cli: { command: ['delete'], aliases: ['disable'], examples: ['data-api delete', 'data-api delete --database shop'] },
  run: async (ctx, input) =>
    withTarget(ctx, input, async (db, name) => {
      await disableDatabase(db)
      await ctx.host.changed(name)
      return {}
    }),
})
