/**
 * Copying a database for a branch: on PostgreSQL `CREATE DATABASE ... TEMPLATE` (which needs nobody
 * connected to the original: this server and its sibling workers close their connections to it for
 * the copy, and requests for it wait), embedded a dump of the PGlite cluster taken while nothing else
 * runs on it. The copy keeps schema, data, grants, the Data API settings and the auth users; the
 * auth service's sessions are dropped (a session does not carry over to a branch).
 */
import { StoreError } from '../serving/database-store.js'
import type { AdminContext } from './admin-context.js'
import { AdminError } from './operation.js'

const COPY_ATTEMPTS = 3

export async function copyDatabase(ctx: AdminContext, from: string, to: string): Promise<void> {
  const store = ctx.host.store
  if (store.kind === 'pglite') {
    const dump = await ctx.host.withDatabase(from, (db) => db.withPglite!((pglite) => pglite.dumpDataDir('none')))
    await store.create(to, { dump })
  } else {
    const template = await ctx.host.physical(from)
    if (template === undefined) throw new AdminError(404, 'NOT_FOUND', `Database "${from}" does not exist.`)
    await ctx.host.exclusive(from, async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          await store.create(to, { template })
          return
        } catch (err) {
          // a connection that was closing, or a sibling's request that reopened one: try again shortly
          if (!(err instanceof StoreError && err.kind === 'busy') || attempt === COPY_ATTEMPTS) throw err
          await new Promise((r) => setTimeout(r, 200 * attempt))
        }
      }
    })
  }
  await forgetSessions(ctx, to)
}

/** Sessions of the built-in auth service stay with the original (as in the hosted product). */
async function forgetSessions(ctx: AdminContext, physical: string): Promise<void> {
  const db = await ctx.host.store.open(physical, { poolSize: 1 })
  try {
    await db.exec(`DO $forget$ BEGIN IF to_regclass('neon_auth.session') IS NOT NULL THEN DELETE FROM neon_auth.session; END IF; END $forget$;`)
  } finally {
    await db.close()
  }
}

/** A copy that could not be made, as the management API answers it. */
export function copyError(err: unknown, from: string): AdminError {
  if (err instanceof AdminError) return err
  if (err instanceof StoreError && err.kind === 'busy') {
    return new AdminError(
      409,
      'DATABASE_IN_USE',
      `${err.message}. PostgreSQL copies a database only when nobody is connected to it: close the other sessions on "${from}" (psql, other servers, migrations) and try again.`,
    )
  }
  const code = (err as { code?: string }).code
  if (code === '42501') {
    return new AdminError(
      403,
      'PERMISSION_DENIED',
      `Creating a branch needs a role that may create databases (CREATEDB): ${(err as Error).message}. Run it with --database-url as the database owner.`,
    )
  }
  throw err
}
