/**
 * The built-in auth service of a database (the hosted `/projects/{p}/branches/{b}/auth...` routes):
 * turn it on or off, its users, trusted domains, email-and-password and localhost settings, and
 * signing-key rotation.
 */
import { z } from 'zod'
import { resolveAuthProvider } from '../../auth-service/auth-service.js'
import { authUrl, withTarget, type AdminContext, describeDatabase } from '../admin-context.js'
import type { Database } from '../../db/database.js'
import { enabledState, type DataApiState } from '../data-api-state.js'
import { target } from '../inputs.js'
import { badRequest, conflict, defineOperation, notFound } from '../operation.js'
import { writeSettings } from '../settings-store.js'
import { sqlError } from './sql-ops.js'

const AUTH_PATH = '/projects/{project_id}/branches/{branch_id}/auth'

/** The state of a database whose built-in auth service must be on; 404 otherwise (as the hosted API). */
async function authState(ctx: AdminContext, db: Database, name: string): Promise<DataApiState> {
  const state = await enabledState(ctx.base, db, name)
  if (resolveAuthProvider(state.resolved.config) !== 'built-in') {
    throw notFound(`The built-in auth service is not enabled for ${describeDatabase(name)}. Enable it first (data-api auth enable).`)
  }
  return state
}

function pinned(ctx: AdminContext, key: string): void {
  const variable = ctx.base.pinned[key]
  if (variable) {
    throw badRequest(
      variable === 'override'
        ? `${key} is fixed by the configuration this server was started with.`
        : `${key} is set by the environment variable ${variable} on this server; unset it to manage it here.`,
    )
  }
}

function integration(ctx: AdminContext, name: string, branch: string) {
  const url = authUrl(ctx, name)
  return {
    auth_provider: 'better_auth',
    auth_provider_project_id: `${ctx.base.projectId}-${name}`,
    branch_id: branch,
    db_name: name,
    created_at: new Date(0).toISOString(),
    owned_by: 'user',
    jwks_url: `${url}/.well-known/jwks.json`,
    base_url: url,
    name: 'data-api',
  }
}

const authTarget = { branch_id: target.branch_id, database_name: target.database_name }

export const getAuth = defineOperation({
  name: 'get_auth',
  title: 'Show the built-in auth service',
  description: 'Whether a database uses the built-in auth service (Neon Auth compatible), with its URL and JWKS URL.',
  input: z.object(authTarget).strict(),
  readOnly: true,
  http: { method: 'GET', path: AUTH_PATH, query: ['database_name'] },
  cli: { command: ['auth', 'get'], examples: ['data-api auth get'] },
  run: async (ctx, input) =>
    withTarget(ctx, input, async (db, name) => {
      await authState(ctx, db, name)
      return integration(ctx, name, input.branch_id ?? 'main')
    }),
})

export const enableAuth = defineOperation({
  name: 'enable_auth',
  title: 'Enable the built-in auth service',
  description:
    'Turns on the built-in auth service for a database: users sign up and in at {server}/{db}/auth, and the Data API trusts the tokens it signs.',
  input: z
    .object({ ...authTarget, auth_provider: z.enum(['better_auth']).default('better_auth').describe('always better_auth') })
    .strict(),
  http: { method: 'POST', path: AUTH_PATH, status: 201 },
  cli: { command: ['auth', 'enable'], examples: ['data-api auth enable'] },
  run: async (ctx, input) =>
    withTarget(ctx, input, async (db, name) => {
      pinned(ctx, 'auth_provider')
      const state = await enabledState(ctx.base, db, name)
      if (resolveAuthProvider(state.resolved.config) === 'built-in') {
        throw conflict(`The built-in auth service is already enabled for ${describeDatabase(name)}.`, { base_url: authUrl(ctx, name) })
      }
      await writeSettings(db, { auth_provider: 'neon_auth' })
      await ctx.host.changed(name)
      const url = authUrl(ctx, name)
      return {
        auth_provider: 'better_auth',
        auth_provider_project_id: `${ctx.base.projectId}-${name}`,
        pub_client_key: '',
        secret_server_key: '',
        jwks_url: `${url}/.well-known/jwks.json`,
        schema_name: 'neon_auth',
        table_name: 'user',
        base_url: url,
      }
    }),
})

export const disableAuth = defineOperation({
  name: 'disable_auth',
  title: 'Disable the built-in auth service',
  description:
    'Turns off the built-in auth service of a database: its URL answers 404 and its tokens are refused. With delete_data, its users, sessions and keys (schema neon_auth) are dropped too.',
  input: z.object({ ...authTarget, delete_data: z.boolean().optional().describe('drop schema neon_auth with every user') }).strict(),
  destructive: true,
  http: { method: 'DELETE', path: AUTH_PATH },
  cli: { command: ['auth', 'disable'], examples: ['data-api auth disable', 'data-api auth disable --delete-data'] },
  run: async (ctx, input) =>
    withTarget(ctx, input, async (db, name) => {
      pinned(ctx, 'auth_provider')
      await authState(ctx, db, name)
      await writeSettings(db, { auth_provider: 'none' })
      await ctx.host.changed(name)
      if (input.delete_data) await db.exec('DROP SCHEMA IF EXISTS neon_auth CASCADE').catch((err: unknown) => Promise.reject(sqlError(err)))
      return {}
    }),
})

const USERS = `
select u."id"::text as id, u."email" as email, u."name" as name, u."emailVerified" as email_verified,
  u."createdAt" as created_at, coalesce(u."banned", false) as banned, count(*) over ()::int as total
from neon_auth."user" u
where $1::text is null or u."email" ilike '%' || $1 || '%' or u."name" ilike '%' || $1 || '%'
order by u."createdAt" desc, u."id"
limit $2 offset $3`

export const listAuthUsers = defineOperation({
  name: 'list_auth_users',
  title: 'List users',
  description: 'The users of a database’s built-in auth service, newest first, optionally those whose email or name contains a search text.',
  input: z
    .object({
      ...authTarget,
      search: z.string().max(200).optional().describe('part of an email or name'),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      offset: z.coerce.number().int().min(0).default(0),
    })
    .strict(),
  readOnly: true,
  http: { method: 'GET', path: `${AUTH_PATH}/users`, query: ['database_name', 'search', 'limit', 'offset'] },
  cli: { command: ['auth', 'users', 'list'], examples: ['data-api auth users list', 'data-api auth users list --search @example.com'] },
  run: async (ctx, input) =>
    withTarget(ctx, input, async (db, name) => {
      await authState(ctx, db, name)
      const rows = await db.query<{ total: number } & Record<string, unknown>>(USERS, [input.search ?? null, input.limit, input.offset])
      return { users: rows.map(({ total: _total, ...user }) => user), total: rows[0]?.total ?? 0 }
    }),
})

export const createAuthUser = defineOperation({
  name: 'create_auth_user',
  title: 'Create a user',
  description: 'Adds a user (without a password: they set one through "forgot password") to a database’s built-in auth service.',
  input: z.object({ ...authTarget, email: z.string().email('must be an email address'), name: z.string().max(200).optional() }).strict(),
  http: { method: 'POST', path: `${AUTH_PATH}/users`, status: 201 },
  cli: { command: ['auth', 'users', 'create'], args: ['email'], examples: ['data-api auth users create ada@example.com --name Ada'] },
  run: async (ctx, input) =>
    withTarget(ctx, input, async (db, name) => {
      await authState(ctx, db, name)
      try {
        const [row] = await db.query<{ id: string }>(
          `insert into neon_auth."user" ("name", "email", "emailVerified", "createdAt", "updatedAt") values ($1, lower($2), false, now(), now()) returning "id"::text as id`,
          [input.name ?? '', input.email],
        )
        return { id: row!.id }
      } catch (err) {
        if ((err as { code?: string }).code === '23505') throw conflict(`A user with email ${input.email} already exists.`)
        throw sqlError(err)
      }
    }),
})

export const deleteAuthUser = defineOperation({
  name: 'delete_auth_user',
  title: 'Delete a user',
  description: 'Deletes a user of a database’s built-in auth service, with their sessions and accounts.',
  input: z.object({ ...authTarget, auth_user_id: z.string().uuid('must be a user id (uuid)') }).strict(),
  destructive: true,
  http: { method: 'DELETE', path: `${AUTH_PATH}/users/{auth_user_id}`, query: ['database_name'] },
  cli: { command: ['auth', 'users', 'delete'], args: ['auth_user_id'], examples: ['data-api auth users delete 0b5c…'] },
  run: async (ctx, input) =>
    withTarget(ctx, input, async (db, name) => {
      await authState(ctx, db, name)
      const gone = await db.query(`delete from neon_auth."user" where "id" = $1::uuid returning "id"`, [input.auth_user_id])
      if (gone.length === 0) throw notFound(`No user with id ${input.auth_user_id}.`)
      return {}
    }),
})

const origin = z.string().regex(/^https?:\/\/[^/\s]+\/?$/i, 'must be an origin such as https://app.example.com (wildcards like https://*.example.com allowed)')

export const listTrustedDomains = defineOperation({
  name: 'list_trusted_domains',
  title: 'List trusted domains',
  description: 'The origins the built-in auth service trusts for browser calls and redirects (besides localhost, when allowed).',
  input: z.object(authTarget).strict(),
  readOnly: true,
  http: { method: 'GET', path: `${AUTH_PATH}/domains`, query: ['database_name'] },
  cli: { command: ['auth', 'domains', 'list'], examples: ['data-api auth domains list'] },
  run: async (ctx, input) =>
    withTarget(ctx, input, async (db, name) => {
      const state = await authState(ctx, db, name)
      const domains = state.resolved.settings.auth_trusted_origins!.value as string[]
      return { domains: domains.map((domain) => ({ domain, auth_provider: 'better_auth' })) }
    }),
})

export const addTrustedDomain = defineOperation({
  name: 'add_trusted_domain',
  title: 'Add a trusted domain',
  description: 'Lets an origin (https://app.example.com, or a wildcard such as https://*.example.com) call the built-in auth service from a browser.',
  input: z.object({ ...authTarget, domain: origin, auth_provider: z.enum(['better_auth']).optional() }).strict(),
  http: { method: 'POST', path: `${AUTH_PATH}/domains` },
  cli: { command: ['auth', 'domains', 'add'], args: ['domain'], examples: ['data-api auth domains add https://app.example.com'] },
  run: async (ctx, input) =>
    withTarget(ctx, input, async (db, name) => {
      pinned(ctx, 'auth_trusted_origins')
      const state = await authState(ctx, db, name)
      const domains = state.resolved.settings.auth_trusted_origins!.value as string[]
      const domain = input.domain.replace(/\/$/, '')
      if (!domains.includes(domain)) await writeSettings(db, { auth_trusted_origins: [...domains, domain] })
      await ctx.host.changed(name)
      return {}
    }),
})

export const deleteTrustedDomains = defineOperation({
  name: 'delete_trusted_domains',
  title: 'Remove trusted domains',
  description: 'Stops trusting origins for browser calls to the built-in auth service.',
  input: z
    .object({
      ...authTarget,
      auth_provider: z.enum(['better_auth']).optional(),
      domains: z.array(z.object({ domain: z.string() })).min(1).optional().describe('the origins to remove (the hosted body)'),
      domain: z.string().optional().describe('one origin to remove'),
    })
    .strict()
    .refine((i) => i.domains !== undefined || i.domain !== undefined, { message: 'name the domains to remove', path: ['domains'] }),
  destructive: true,
  http: { method: 'DELETE', path: `${AUTH_PATH}/domains` },
  cli: { command: ['auth', 'domains', 'remove'], args: ['domain'], examples: ['data-api auth domains remove https://app.example.com'] },
  run: async (ctx, input) =>
    withTarget(ctx, input, async (db, name) => {
      pinned(ctx, 'auth_trusted_origins')
      const state = await authState(ctx, db, name)
      const gone = new Set([...(input.domains ?? []), ...(input.domain ? [{ domain: input.domain }] : [])].map((d) => d.domain.replace(/\/$/, '')))
      const domains = (state.resolved.settings.auth_trusted_origins!.value as string[]).filter((d) => !gone.has(d))
      await writeSettings(db, { auth_trusted_origins: domains })
      await ctx.host.changed(name)
      return {}
    }),
})

function emailAndPassword(state: DataApiState) {
  const requireVerification = state.resolved.settings.auth_require_email_verification!.value === true
  return {
    enabled: true,
    email_verification_method: 'link',
    require_email_verification: requireVerification,
    auto_sign_in_after_verification: true,
    send_verification_email_on_sign_up: requireVerification,
    send_verification_email_on_sign_in: false,
    disable_sign_up: state.resolved.settings.auth_sign_up_enabled!.value !== true,
  }
}

export const getEmailAndPassword = defineOperation({
  name: 'get_email_and_password',
  title: 'Show email and password sign-in',
  description: 'How the built-in auth service handles email and password: whether sign-up is open and verification required.',
  input: z.object(authTarget).strict(),
  readOnly: true,
  http: { method: 'GET', path: `${AUTH_PATH}/email_and_password`, query: ['database_name'] },
  cli: { command: ['auth', 'email-and-password', 'get'], examples: ['data-api auth email-and-password get'] },
  run: async (ctx, input) => withTarget(ctx, input, async (db, name) => emailAndPassword(await authState(ctx, db, name))),
})

export const updateEmailAndPassword = defineOperation({
  name: 'update_email_and_password',
  title: 'Change email and password sign-in',
  description: 'Opens or closes sign-up, and requires (or not) a verified email address before sign-in.',
  input: z
    .object({
      ...authTarget,
      disable_sign_up: z.boolean().optional(),
      require_email_verification: z.boolean().optional(),
      enabled: z.literal(true, { message: 'email and password sign-in cannot be turned off here' }).optional(),
      email_verification_method: z.literal('link', { message: 'only link verification is available' }).optional(),
      auto_sign_in_after_verification: z.literal(true, { message: 'is always on here' }).optional(),
      send_verification_email_on_sign_up: z.boolean().optional(),
      send_verification_email_on_sign_in: z.literal(false, { message: 'is not available here' }).optional(),
    })
    .strict(),
  http: { method: 'PATCH', path: `${AUTH_PATH}/email_and_password` },
  cli: { command: ['auth', 'email-and-password', 'update'], examples: ['data-api auth email-and-password update --disable-sign-up true'] },
  run: async (ctx, input) =>
    withTarget(ctx, input, async (db, name) => {
      await authState(ctx, db, name)
      const patch: Record<string, unknown> = {}
      if (input.disable_sign_up !== undefined) {
        pinned(ctx, 'auth_sign_up_enabled')
        patch.auth_sign_up_enabled = !input.disable_sign_up
      }
      const verify = input.require_email_verification ?? input.send_verification_email_on_sign_up
      if (verify !== undefined) {
        pinned(ctx, 'auth_require_email_verification')
        patch.auth_require_email_verification = verify
      }
      if (Object.keys(patch).length > 0) await writeSettings(db, patch)
      await ctx.host.changed(name)
      return emailAndPassword(await authState(ctx, db, name))
    }),
})

export const getAllowLocalhost = defineOperation({
  name: 'get_allow_localhost',
  title: 'Show whether localhost is trusted',
  description: 'Whether the built-in auth service trusts any http://localhost or 127.0.0.1 origin (for development).',
  input: z.object(authTarget).strict(),
  readOnly: true,
  http: { method: 'GET', path: `${AUTH_PATH}/allow_localhost`, query: ['database_name'] },
  cli: { command: ['auth', 'allow-localhost', 'get'], examples: ['data-api auth allow-localhost get'] },
  run: async (ctx, input) =>
    withTarget(ctx, input, async (db, name) => {
      const state = await authState(ctx, db, name)
      return { allow_localhost: state.resolved.settings.auth_allow_localhost!.value === true }
    }),
})

export const updateAllowLocalhost = defineOperation({
  name: 'update_allow_localhost',
  title: 'Trust localhost or not',
  description: 'Trusts (or stops trusting) any http://localhost or 127.0.0.1 origin for the built-in auth service.',
  input: z.object({ ...authTarget, allow_localhost: z.boolean() }).strict(),
  http: { method: 'PATCH', path: `${AUTH_PATH}/allow_localhost` },
  cli: { command: ['auth', 'allow-localhost', 'set'], args: ['allow_localhost'], examples: ['data-api auth allow-localhost set false'] },
  run: async (ctx, input) =>
    withTarget(ctx, input, async (db, name) => {
      pinned(ctx, 'auth_allow_localhost')
      await authState(ctx, db, name)
      await writeSettings(db, { auth_allow_localhost: input.allow_localhost })
      await ctx.host.changed(name)
      return { allow_localhost: input.allow_localhost }
    }),
})

export const rotateAuthKeys = defineOperation({
  name: 'rotate_auth_keys',
  title: 'Rotate signing keys',
  description:
    'Creates a new signing key for the built-in auth service; the old ones verify the tokens they signed for 20 more minutes, or never again with revoke.',
  input: z.object({ ...authTarget, revoke: z.boolean().optional().describe('delete the old keys: their tokens are refused at once') }).strict(),
  destructive: true,
  http: { method: 'POST', path: `${AUTH_PATH}/keys/rotate` },
  cli: { command: ['auth', 'rotate-keys'], examples: ['data-api auth rotate-keys', 'data-api auth rotate-keys --revoke'] },
  run: async (ctx, input) =>
    withTarget(ctx, input, async (db, name) => {
      await authState(ctx, db, name)
      const service = (await ctx.host.open(name))?.authService()
      if (!service) throw notFound(`The built-in auth service is not running for ${describeDatabase(name)}.`)
      return service.rotateKeys({ revoke: input.revoke })
    }),
})
