/**
 * The project, its branches and databases, in the hosted management API's shapes: this server is
 * one project (DATA_API_PROJECT_ID), its branch `main` is the served cluster (or data folder), and
 * its databases are the cluster's databases.
 */
import { z } from 'zod'
import { DATABASE_NAME } from '../../config/app-config.js'
import { StoreError } from '../../serving/database-store.js'
import { type AdminContext } from '../admin-context.js'
import { databaseName, target } from '../inputs.js'
import { AdminError, conflict, defineOperation, notFound } from '../operation.js'

const STARTED = new Date().toISOString()

async function pgVersion(ctx: AdminContext): Promise<number> {
  return ctx.host.withDatabase(ctx.host.defaultName, async (db) => {
    const [row] = await db.query<{ v: number }>(`select current_setting('server_version_num')::int / 10000 as v`)
    return row?.v ?? 0
  })
}

async function project(ctx: AdminContext) {
  return {
    id: ctx.base.projectId,
    platform_id: 'data-api',
    region_id: 'local',
    name: ctx.base.projectId,
    provisioner: ctx.host.store.kind === 'pglite' ? 'embedded' : 'postgres',
    pg_version: await pgVersion(ctx),
    proxy_host: new URL(ctx.serverUrl()).host,
    store_passwords: false,
    creation_source: 'data-api',
    history_retention_seconds: 0,
    created_at: STARTED,
    updated_at: STARTED,
    owner_id: 'local',
    // data-api's own: what a client needs to address the default database without naming it
    default_branch_id: 'main',
    default_database: ctx.host.defaultName,
  }
}

function branch(ctx: AdminContext) {
  return {
    id: 'main',
    project_id: ctx.base.projectId,
    name: 'main',
    current_state: 'ready',
    state_changed_at: STARTED,
    creation_source: 'data-api',
    primary: true,
    default: true,
    protected: false,
    cpu_used_sec: 0,
    compute_time_seconds: 0,
    active_time_seconds: 0,
    written_data_bytes: 0,
    data_transfer_bytes: 0,
    created_at: STARTED,
    updated_at: STARTED,
  }
}

function checkBranch(branchId: string | undefined): void {
  if (branchId !== undefined && branchId !== 'main') throw notFound(`Branch "${branchId}" does not exist in this project.`)
}

type DatabaseRow = { oid: number; datname: string; owner: string }

async function databaseRows(ctx: AdminContext, names: readonly string[]): Promise<DatabaseRow[]> {
  if (ctx.host.store.kind === 'pglite') {
    // each embedded database is a cluster of its own, whose database is called postgres inside
    return names.map((name, i) => ({ oid: i + 1, datname: name, owner: 'postgres' }))
  }
  return ctx.host.withDatabase(ctx.host.defaultName, (db) =>
    db.query<DatabaseRow>(
      `select d.oid::int as oid, d.datname::text as datname, pg_get_userbyid(d.datdba)::text as owner
       from pg_database d where d.datname = any($1::text[]) order by array_position($1::text[], d.datname::text)`,
      [names],
    ),
  )
}

function describeDatabase(row: DatabaseRow) {
  return { id: row.oid, branch_id: 'main', name: row.datname, owner_name: row.owner, created_at: STARTED, updated_at: STARTED }
}

export const listProjects = defineOperation({
  name: 'list_projects',
  title: 'List projects',
  description: 'This server, as the one project of the management API.',
  input: z.object({ limit: z.coerce.number().optional(), cursor: z.string().optional(), search: z.string().optional(), org_id: z.string().optional() }).strict(),
  readOnly: true,
  mcp: false,
  http: { method: 'GET', path: '/projects', query: ['limit', 'cursor', 'search', 'org_id'] },
  cli: { command: ['projects', 'list'], examples: ['data-api projects list'] },
  run: async (ctx) => ({ projects: [await project(ctx)], pagination: { cursor: ctx.base.projectId } }),
})

export const getProject = defineOperation({
  name: 'get_project',
  title: 'Show the project',
  description: 'The project this server is: its id, backend and PostgreSQL version.',
  input: z.object({}).strict(),
  readOnly: true,
  http: { method: 'GET', path: '/projects/{project_id}' },
  cli: { command: ['project'], examples: ['data-api project --output json'] },
  run: async (ctx) => ({ project: await project(ctx) }),
})

export const listBranches = defineOperation({
  name: 'list_branches',
  title: 'List branches',
  description: 'The branches of the project.',
  input: z.object({ search: z.string().optional(), sort_by: z.string().optional(), cursor: z.string().optional(), limit: z.coerce.number().optional() }).strict(),
  readOnly: true,
  http: { method: 'GET', path: '/projects/{project_id}/branches', query: ['search', 'sort_by', 'cursor', 'limit'] },
  cli: { command: ['branches', 'list'], examples: ['data-api branches list'] },
  run: async (ctx) => ({ branches: [branch(ctx)], annotations: {} }),
})

export const getBranch = defineOperation({
  name: 'get_branch',
  title: 'Show a branch',
  description: 'One branch of the project.',
  input: z.object({ branch_id: target.branch_id.unwrap() }).strict(),
  readOnly: true,
  http: { method: 'GET', path: '/projects/{project_id}/branches/{branch_id}' },
  cli: { command: ['branches', 'get'], args: ['branch_id'], examples: ['data-api branches get main'] },
  run: async (ctx, input) => {
    checkBranch(input.branch_id)
    return { branch: branch(ctx), annotation: { value: {} } }
  },
})

export const listDatabases = defineOperation({
  name: 'list_databases',
  title: 'List databases',
  description: 'The databases of a branch (the PostgreSQL cluster’s databases, or the embedded ones).',
  input: z.object({ branch_id: target.branch_id }).strict(),
  readOnly: true,
  http: { method: 'GET', path: '/projects/{project_id}/branches/{branch_id}/databases' },
  cli: { command: ['databases', 'list'], examples: ['data-api databases list'] },
  run: async (ctx, input) => {
    checkBranch(input.branch_id)
    const rows = await databaseRows(ctx, await ctx.host.store.list())
    return { databases: rows.map(describeDatabase) }
  },
})

export const getDatabase = defineOperation({
  name: 'get_database',
  title: 'Show a database',
  description: 'One database of a branch.',
  input: z.object({ branch_id: target.branch_id, database_name: databaseName }).strict(),
  readOnly: true,
  http: { method: 'GET', path: '/projects/{project_id}/branches/{branch_id}/databases/{database_name}' },
  cli: { command: ['databases', 'get'], args: ['database_name'], examples: ['data-api databases get shop'] },
  run: async (ctx, input) => {
    checkBranch(input.branch_id)
    if (!(await ctx.host.store.exists(input.database_name))) throw notFound(`Database "${input.database_name}" does not exist.`)
    const [row] = await databaseRows(ctx, [input.database_name])
    return { database: describeDatabase(row!) }
  },
})

export const createDatabase = defineOperation({
  name: 'create_database',
  title: 'Create a database',
  description: 'Creates an empty database on a branch. Enable the Data API on it with create_data_api.',
  input: z
    .object({
      branch_id: target.branch_id,
      database: z.object({ name: z.string().regex(DATABASE_NAME, 'must be 1-63 letters, digits, _ or - (not starting with -)'), owner_name: z.string().optional() }).strict(),
    })
    .strict(),
  http: { method: 'POST', path: '/projects/{project_id}/branches/{branch_id}/databases', status: 201 },
  cli: { command: ['databases', 'create'], args: ['database.name'], examples: ['data-api databases create shop', 'data-api create --database shop'] },
  run: async (ctx, input) => {
    checkBranch(input.branch_id)
    const name = input.database.name
    try {
      await ctx.host.store.create(name)
    } catch (err) {
      if (err instanceof StoreError && err.kind === 'exists') throw conflict(`Database "${name}" already exists.`)
      throw err
    }
    await ctx.host.changed(name)
    const [row] = await databaseRows(ctx, [name])
    return { database: describeDatabase(row!), operations: [] }
  },
})

export const deleteDatabase = defineOperation({
  name: 'delete_database',
  title: 'Delete a database',
  description: 'Deletes a database of a branch with all its data, after closing the server’s connections to it. The default database cannot be deleted.',
  input: z.object({ branch_id: target.branch_id, database_name: databaseName }).strict(),
  destructive: true,
  http: { method: 'DELETE', path: '/projects/{project_id}/branches/{branch_id}/databases/{database_name}' },
  cli: { command: ['databases', 'delete'], args: ['database_name'], examples: ['data-api databases delete shop'] },
  run: async (ctx, input) => {
    checkBranch(input.branch_id)
    const name = input.database_name
    if (name === ctx.host.defaultName) throw new AdminError(400, 'INVALID_REQUEST', `The default database "${name}" cannot be deleted.`)
    if (!(await ctx.host.store.exists(name))) throw notFound(`Database "${name}" does not exist.`)
    const [row] = await databaseRows(ctx, [name])
    await ctx.host.closeDatabase(name)
    await ctx.host.store.drop(name)
    return { database: describeDatabase(row!), operations: [] }
  },
})
