/**
 * The project, its branches and databases, in the hosted management API's shapes: this server is
 * one project (DATA_API_PROJECT_ID), its branch `main` is the served cluster (or data folder), and
 * its databases are the cluster's databases.
 */
import { z } from 'zod'
import { DATABASE_NAME } from '../../config/app-config.js'
import { StoreError } from '../../serving/database-store.js'
import { MAIN, physicalName, servedName, type BranchRecord } from '../../serving/branch-registry.js'
import { readyBranch, type AdminContext } from '../admin-context.js'
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

type DatabaseRow = { oid: number; datname: string; owner: string }

/** A branch's databases: main's are the store's; a branch's are those the registry lists. */
async function branchDatabases(ctx: AdminContext, branch: string): Promise<{ record: BranchRecord | undefined; names: string[] }> {
  const record = await readyBranch(ctx, branch)
  if (record) return { record, names: Object.keys(record.databases) }
  // the store holds the branches' copies too: those belong to their branches, not to main
  const copies = new Set((await ctx.host.branches.list()).flatMap((b) => Object.values(b.databases)))
  return { record, names: (await ctx.host.store.list()).filter((name) => !copies.has(name)) }
}

async function databaseRows(ctx: AdminContext, branch: string, names: readonly string[]): Promise<DatabaseRow[]> {
  const record = await readyBranch(ctx, branch)
  if (ctx.host.store.kind === 'pglite') {
    // each embedded database is a cluster of its own, whose database is called postgres inside
    return names.map((name, i) => ({ oid: i + 1, datname: name, owner: 'postgres' }))
  }
  const physical = names.map((n) => (record ? record.databases[n]! : n))
  const rows = await ctx.host.withDatabase(ctx.host.defaultName, (db) =>
    db.query<DatabaseRow>(
      `select d.oid::int as oid, d.datname::text as datname, pg_get_userbyid(d.datdba)::text as owner
       from pg_database d where d.datname = any($1::text[]) order by array_position($1::text[], d.datname::text)`,
      [physical],
    ),
  )
  // the branch's own names, not the store's
  return rows.map((r) => ({ ...r, datname: names[physical.indexOf(r.datname)] ?? r.datname }))
}

function describeDatabase(row: DatabaseRow, branch: string) {
  return { id: row.oid, branch_id: branch, name: row.datname, owner_name: row.owner, created_at: STARTED, updated_at: STARTED }
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

export const listDatabases = defineOperation({
  name: 'list_databases',
  title: 'List databases',
  description: 'The databases of a branch (the PostgreSQL cluster’s databases, or the embedded ones).',
  input: z.object({ branch_id: target.branch_id }).strict(),
  readOnly: true,
  http: { method: 'GET', path: '/projects/{project_id}/branches/{branch_id}/databases' },
  cli: { command: ['databases', 'list'], examples: ['data-api databases list'] },
  run: async (ctx, input) => {
    const branch = input.branch_id ?? MAIN
    const { names } = await branchDatabases(ctx, branch)
    const rows = await databaseRows(ctx, branch, names)
    return { databases: rows.map((r) => describeDatabase(r, branch)) }
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
    const branch = input.branch_id ?? MAIN
    const { names } = await branchDatabases(ctx, branch)
    if (!names.includes(input.database_name)) throw notFound(`Database "${input.database_name}" does not exist on branch ${branch}.`)
    const [row] = await databaseRows(ctx, branch, [input.database_name])
    return { database: describeDatabase(row!, branch) }
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
    const branch = input.branch_id ?? MAIN
    const { record, names } = await branchDatabases(ctx, branch)
    const name = input.database.name
    if (names.includes(name)) throw conflict(`Database "${name}" already exists on branch ${branch}.`)
    const physical = record ? physicalName(branch, name) : name
    try {
      await ctx.host.store.create(physical)
    } catch (err) {
      if (err instanceof StoreError && err.kind === 'exists') throw conflict(`Database "${name}" already exists.`)
      throw err
    }
    if (record) {
      await ctx.host.branches.addDatabase(branch, name, physical)
      await ctx.host.reloadBranches()
    }
    const served = servedName({ branch, database: name })
    await ctx.host.changed(served)
    const [row] = await databaseRows(ctx, branch, [name])
    return { database: describeDatabase(row!, branch), operations: [] }
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
    const branch = input.branch_id ?? MAIN
    const name = input.database_name
    if (branch === MAIN && name === ctx.host.defaultName) throw new AdminError(400, 'INVALID_REQUEST', `The default database "${name}" cannot be deleted.`)
    const { record, names } = await branchDatabases(ctx, branch)
    if (!names.includes(name)) throw notFound(`Database "${name}" does not exist on branch ${branch}.`)
    const [row] = await databaseRows(ctx, branch, [name])
    await ctx.host.closeDatabase(servedName({ branch, database: name }))
    if (record) {
      await ctx.host.branches.removeDatabase(branch, name)
      await ctx.host.reloadBranches()
      await ctx.host.store.drop(record.databases[name]!)
    } else {
      await ctx.host.store.drop(name)
    }
    return { database: describeDatabase(row!, branch), operations: [] }
  },
})
