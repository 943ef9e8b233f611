/**
 * Test support: a fresh, empty PostgreSQL database per test file, created on the server named by
 * DATABASE_URL and dropped afterwards, so no test depends on another's data.
 * Returns undefined when DATABASE_URL is not set (the PostgreSQL half of the suite is then skipped).
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'

export type TempPostgres = Readonly<{ url: string; name: string; drop: () => Promise<void> }>

export const databaseUrl = process.env.DATABASE_URL || undefined

export async function createTempPostgres(prefix = 'dapi_test'): Promise<TempPostgres | undefined> {
  if (!databaseUrl) return undefined
  const name = `${prefix}_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: databaseUrl })
  await admin.connect()
  try {
    await admin.query(`create database "${name}"`)
  } finally {
    await admin.end()
  }
  const url = new URL(databaseUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const client = new pg.Client({ connectionString: databaseUrl })
      await client.connect()
      try {
        await client.query(`drop database if exists "${name}" with (force)`)
      } finally {
        await client.end()
      }
    },
  }
}
