/**
 * Test support: a fresh, empty PostgreSQL database per test file, created on the server named by
 * DATABASE_URL and dropped afterwards, so no test depends on another's data.
 * Returns undefined when DATABASE_URL is not set (the PostgreSQL half of the suite is then skipped).
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'

export type TempPostgres = Readonly<{
  url: string
  /** the same database without the pooler, when DATABASE_DIRECT_URL is set; else url */
  directUrl: string
  name: string
  drop: () => Promise<void>
}>

export const databaseUrl = process.env.DATABASE_URL || undefined
/** CI also runs the suite through PgBouncer: DATABASE_URL is then the pooler, this the cluster itself */
export const directDatabaseUrl = process.env.DATABASE_DIRECT_URL || databaseUrl

function withDatabase(base: string, name: string): string {
  const url = new URL(base)
  url.pathname = `/${name}`
  return url.toString()
}

export async function createTempPostgres(prefix = 'dapi_test'): Promise<TempPostgres | undefined> {
  if (!databaseUrl) return undefined
  const name = `${prefix}_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: directDatabaseUrl })
  await admin.connect()
  try {
    await admin.query(`create database "${name}"`)
  } finally {
    await admin.end()
  }
  return {
    url: withDatabase(databaseUrl, name),
    directUrl: withDatabase(directDatabaseUrl!, name),
    name,
    drop: async () => {
      const client = new pg.Client({ connectionString: directDatabaseUrl })
      await client.connect()
      try {
        await client.query(`drop database if exists "${name}" with (force)`)
      } finally {
        await client.end()
      }
    },
  }
}
