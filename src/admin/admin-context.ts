/**
 * What an operation may use: the server's configuration, the databases (through the host, which
 * shares open databases with the requests being served), the public URL and a logger. Nothing else,
 * so the same operation runs inside the server and straight from the CLI.
 */
import type { Logger } from 'pino'
import type { AppConfig } from '../config/app-config.js'
import type { Database } from '../db/database.js'
import type { DatabaseHost } from '../serving/database-host.js'
import { notFound } from './operation.js'

export type AdminContext = Readonly<{
  base: AppConfig
  host: DatabaseHost
  /** the URL clients reach this server at: `http://127.0.0.1:3000` */
  serverUrl: () => string
  logger: Logger
}>

/** The database an input names (default: the server's default database), checked to exist. */
export async function targetDatabase(ctx: AdminContext, input: Readonly<{ database_name?: string; branch_id?: string }>): Promise<string> {
  const branch = input.branch_id ?? 'main'
  if (branch !== 'main' && branch !== ctx.base.projectId + '-main') throw notFound(`Branch "${branch}" does not exist in this project.`)
  const name = input.database_name ?? ctx.host.defaultName
  if (!(await ctx.host.store.exists(name))) throw notFound(`Database "${name}" does not exist on branch ${branch}.`)
  return name
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

/** The REST URL of a database: `{server}/{db}/rest/v1`. */
export function restUrl(ctx: AdminContext, name: string): string {
  return `${ctx.serverUrl()}/${encodeURIComponent(name)}/rest/v1`
}

/** The built-in auth service's URL of a database: `{server}/{db}/auth`. */
export function authUrl(ctx: AdminContext, name: string): string {
  return `${ctx.serverUrl()}/${encodeURIComponent(name)}/auth`
}
