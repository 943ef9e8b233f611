/**
 * Branches (the hosted `/projects/{p}/branches` routes): a branch is a full copy of its parent's
 * databases at the moment it is created — schema, data, grants, the Data API settings and the
 * built-in auth service's users — served at `/branches/{branch}/{database}/...`, with its own
 * settings from then on. `main` is the store's own databases.
 */
import { z } from 'zod'
import { MAIN, physicalName, servedName, type BranchRecord } from '../../serving/branch-registry.js'
import { readyBranch, type AdminContext } from '../admin-context.js'
import { copyDatabase, copyError } from '../branch-copy.js'
import { branchId, databaseName } from '../inputs.js'
import { AdminError, conflict, defineOperation, notFound } from '../operation.js'

const STARTED = new Date().toISOString()

/** The hosted Branch object. */
export function describeBranch(ctx: AdminContext, record: BranchRecord | undefined) {
  const state = record === undefined || record.state === 'ready' ? 'ready' : record.state === 'creating' ? 'init' : 'archived'
  return {
    id: record?.name ?? MAIN,
    project_id: ctx.base.projectId,
    ...(record ? { parent_id: record.parent } : {}),
    name: record?.name ?? MAIN,
    current_state: state,
    state_changed_at: record?.updated_at ?? STARTED,
    creation_source: 'data-api',
    primary: record === undefined,
    default: record === undefined,
    protected: false,
    cpu_used_sec: 0,
    compute_time_seconds: 0,
    active_time_seconds: 0,
    written_data_bytes: 0,
    data_transfer_bytes: 0,
    created_at: record?.created_at ?? STARTED,
    updated_at: record?.updated_at ?? STARTED,
  }
}

export const listBranches = defineOperation({
  name: 'list_branches',
  title: 'List branches',
  description: 'The branches of the project: main, and every branch created from it (or from another branch).',
  input: z.object({ search: z.string().optional(), sort_by: z.string().optional(), cursor: z.string().optional(), limit: z.coerce.number().optional() }).strict(),
  readOnly: true,
  http: { method: 'GET', path: '/projects/{project_id}/branches', query: ['search', 'sort_by', 'cursor', 'limit'] },
  cli: { command: ['branches', 'list'], examples: ['data-api branches list'] },
  run: async (ctx, input) => {
    const branches = [describeBranch(ctx, undefined), ...(await ctx.host.branches.list()).map((b) => describeBranch(ctx, b))]
    return { branches: input.search ? branches.filter((b) => b.name.includes(input.search!)) : branches, annotations: {} }
  },
})

export const getBranch = defineOperation({
  name: 'get_branch',
  title: 'Show a branch',
  description: 'One branch of the project, with its parent and state.',
  input: z.object({ branch_id: branchId }).strict(),
  readOnly: true,
  http: { method: 'GET', path: '/projects/{project_id}/branches/{branch_id}' },
  cli: { command: ['branches', 'get'], args: ['branch_id'], examples: ['data-api branches get dev'] },
  run: async (ctx, input) => {
    if (input.branch_id === MAIN) return { branch: describeBranch(ctx, undefined), annotation: { value: {} } }
    const record = await ctx.host.branches.get(input.branch_id)
    if (!record) throw notFound(`Branch "${input.branch_id}" does not exist in this project.`)
    return { branch: describeBranch(ctx, record), annotation: { value: {} } }
  },
})

const newBranchName = branchId.refine((n) => n !== MAIN, 'main is the project’s own branch')

export const createBranch = defineOperation({
  name: 'create_branch',
  title: 'Create a branch',
  description:
    'Creates a branch: a copy of its parent’s databases (by default the default database, or those named) as they are now, with their data, grants, Data API settings and auth users, served at /branches/{name}/{database}/rest/v1. Changes on either side never reach the other.',
  input: z
    .object({
      branch: z.object({ name: newBranchName.optional(), parent_id: branchId.optional() }).passthrough().optional().describe('the hosted body: {name, parent_id}'),
      endpoints: z.array(z.unknown()).optional().describe('accepted for compatibility; ignored'),
      name: newBranchName.optional().describe('the branch’s name'),
      parent: branchId.optional().describe('the branch to copy (default main)'),
      database: z.array(databaseName).min(1).optional().describe('the databases to copy (default: main’s default database, or all of a branch parent’s)'),
    })
    .strict()
    .refine((i) => (i.name ?? i.branch?.name) !== undefined, { message: 'give the branch a name', path: ['name'] }),
  http: { method: 'POST', path: '/projects/{project_id}/branches', status: 201 },
  cli: { command: ['branches', 'create'], args: ['name'], examples: ['data-api branches create dev', 'data-api branches create dev --parent main --database neondb --database shop'] },
  run: async (ctx, input) => {
    const name = (input.name ?? input.branch?.name)!
    const parent = input.parent ?? input.branch?.parent_id ?? MAIN
    const parentRecord = await readyBranch(ctx, parent)
    const available = parentRecord ? Object.keys(parentRecord.databases) : await ctx.host.store.list()
    const databases = input.database ?? (parentRecord ? available : [ctx.host.defaultName])
    for (const database of databases) {
      if (!available.includes(database)) throw notFound(`Database "${database}" does not exist on branch ${parent}.`)
    }
    if (!(await ctx.host.branches.begin(name, parent))) throw conflict(`Branch "${name}" already exists.`)
    const made: string[] = []
    try {
      for (const database of databases) {
        const physical = physicalName(name, database)
        await copyDatabase(ctx, servedName({ branch: parent, database }), physical)
        made.push(physical)
        await ctx.host.branches.addDatabase(name, database, physical)
      }
      await ctx.host.branches.setState(name, 'ready')
    } catch (err) {
      // nothing half-made stays behind
      for (const physical of made) await ctx.host.store.drop(physical).catch(() => undefined)
      await ctx.host.branches.remove(name).catch(() => undefined)
      throw copyError(err, databases.join(', '))
    }
    await ctx.host.reloadBranches()
    const record = await ctx.host.branches.get(name)
    return {
      branch: describeBranch(ctx, record),
      endpoints: [],
      operations: [],
      roles: [],
      databases: databases.map((database) => ({ name: database, branch_id: name, owner_name: 'postgres', created_at: record?.created_at, updated_at: record?.updated_at })),
      connection_uris: [],
    }
  },
})

export const deleteBranch = defineOperation({
  name: 'delete_branch',
  title: 'Delete a branch',
  description: 'Deletes a branch with its databases: their URLs answer 404 at once. main, and a branch with branches of its own, cannot be deleted.',
  input: z.object({ branch_id: branchId }).strict(),
  destructive: true,
  http: { method: 'DELETE', path: '/projects/{project_id}/branches/{branch_id}' },
  cli: { command: ['branches', 'delete'], args: ['branch_id'], examples: ['data-api branches delete dev'] },
  run: async (ctx, input) => {
    const name = input.branch_id
    if (name === MAIN) throw new AdminError(400, 'INVALID_REQUEST', 'The main branch cannot be deleted.')
    const branches = await ctx.host.branches.list()
    const record = branches.find((b) => b.name === name)
    if (!record) throw notFound(`Branch "${name}" does not exist in this project.`)
    const children = branches.filter((b) => b.parent === name).map((b) => b.name)
    if (children.length > 0) throw conflict(`Branch "${name}" has branches of its own (${children.join(', ')}): delete them first.`)
    if (!(await ctx.host.branches.claimForDelete(name))) throw conflict(`Branch "${name}" is being created or deleted; try again shortly.`)
    await ctx.host.reloadBranches()
    for (const [database, physical] of Object.entries(record.databases)) {
      await ctx.host.closeDatabase(servedName({ branch: name, database }))
      await ctx.host.store.drop(physical)
    }
    await ctx.host.branches.remove(name)
    return { branch: { ...describeBranch(ctx, record), current_state: 'archived' }, operations: [] }
  },
})

export const resetBranch = defineOperation({
  name: 'reset_branch',
  title: 'Reset a branch',
  description:
    'Throws away a branch’s changes: each of its databases becomes a fresh copy of the same database on its parent (or on source_branch_id), as it is now. Its URL stays.',
  input: z.object({ branch_id: branchId, source_branch_id: branchId.optional().describe('copy from this branch instead of the parent') }).strict(),
  destructive: true,
  http: { method: 'POST', path: '/projects/{project_id}/branches/{branch_id}/restore' },
  cli: { command: ['branches', 'reset'], args: ['branch_id'], examples: ['data-api branches reset dev'] },
  run: async (ctx, input) => {
    if (input.branch_id === MAIN) throw new AdminError(400, 'INVALID_REQUEST', 'The main branch has no parent to reset to.')
    const record = await readyBranch(ctx, input.branch_id)
    const source = input.source_branch_id ?? record!.parent
    if (source === input.branch_id) throw new AdminError(400, 'INVALID_REQUEST', 'A branch cannot be reset from itself.')
    const sourceRecord = await readyBranch(ctx, source)
    for (const [database, physical] of Object.entries(record!.databases)) {
      const exists = sourceRecord ? database in sourceRecord.databases : await ctx.host.store.exists(database)
      if (!exists) throw notFound(`Database "${database}" does not exist on branch ${source}.`)
      const served = servedName({ branch: input.branch_id, database })
      // requests for the branch's database wait while it is replaced
      await ctx.host
        .exclusive(served, async () => {
          await ctx.host.store.drop(physical)
          await copyDatabase(ctx, servedName({ branch: source, database }), physical)
        })
        .catch((err: unknown) => Promise.reject(copyError(err, database)))
    }
    return { branch: describeBranch(ctx, await ctx.host.branches.get(input.branch_id)), operations: [] }
  },
})
