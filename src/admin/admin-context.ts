/**
 * What an operation may use: the server's configuration, the databases (through the host, which
 * shares open databases with the requests being served), the public URL and a logger. Nothing else,
 * so the same operation runs inside the server and straight from the CLI.
 */
import type { Logger } from 'pino'
import type { AppConfig } from '../config/app-config.js'
import type { Database } from '../db/database.js'
import type { DatabaseHost } from '../serving/database-host.js'
import { databasePath, MAIN, parseServedName, servedName, type BranchRecord } from '../serving/branch-registry.js'
import { notFound } from './operation.js'

export type AdminContext = Readonly<{
  base: AppConfig
  host: DatabaseHost
  /** the URL clients reach this server at: `http://127.0.0.1:3000` */
  serverUrl: () => string
  logger: Logger
}>

/** A branch that exists (and is ready), or a 404 naming it. */
export async function readyBranch(ctx: AdminContext, branch: string): Promise<BranchRecord | undefined> {
  if (branch === MAIN) return undefined
  const record = await ctx.host.branches.get(branch)
  if (!record || record.state !== 'ready') throw notFound(`Branch "${branch}" does not exist in this project.`)
  return record
}

/**
 * The database an input names (default: the server's default database) on its branch (default:
 * main), checked to exist: its served name (`neondb`, `branches/dev/neondb`).
 */
export async function targetDatabase(ctx: AdminContext, input: Readonly<{ database_name?: string; branch_id?: string }>): Promise<string> {
  const branch = input.branch_id ?? MAIN
  const database = input.database_name ?? ctx.host.defaultName
  const record = await readyBranch(ctx, branch)
  // on main, a branch's copy is in the store but not main's (host.physical says which)
  const exists = record ? database in record.databases : (await ctx.host.physical(database)) !== undefined && (await ctx.host.store.exists(database))
  if (!exists) throw notFound(`Database "${database}" does not exist on branch ${branch}.`)
  return servedName({ branch, database })
}

/** Runs `use` on the database the input names. */
export async function withTarget<T>(
  ctx: AdminContext,
  input: Readonly<{ database_name?: string; branch_id?: string }>,
  use: (db: Database, name: string) => Promise<T>,
): Promise<T> {
  const name = await targetDatabase(ctx, input)
  return ctx.host.withDatabase(name, (db) => use(db, name))
}

/** The REST URL of a served database: `{server}/{db}/rest/v1`, `{server}/branches/{branch}/{db}/rest/v1`. */
export function restUrl(ctx: AdminContext, name: string): string {
  return `${ctx.serverUrl()}${databasePath(name)}/rest/v1`
}

/** The built-in auth service's URL of a served database: `{server}/{db}/auth`. */
export function authUrl(ctx: AdminContext, name: string): string {
  return `${ctx.serverUrl()}${databasePath(name)}/auth`
}

/** `database "neondb"`, `database "neondb" on branch dev`, for messages. */
export function describeDatabase(name: string): string {
  const ref = parseServedName(name)
  if (!ref) return `database "${name}"`
  return ref.branch === MAIN ? `database "${ref.database}"` : `database "${ref.database}" on branch ${ref.branch}`
}
