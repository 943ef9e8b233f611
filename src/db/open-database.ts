/**
 * Chooses the backend: a database URL means a real PostgreSQL server; without one, an embedded PGlite
 * cluster kept on disk at dataDir (created on first use), or in memory when dataDir is `memory://...`.
 */
import { mkdir } from 'node:fs/promises'
import type { Database } from './database.js'
import { createPgliteDatabase } from './pglite-database.js'
import { createPostgresDatabase } from './postgres-database.js'

export type OpenDatabaseConfig = Readonly<{
  databaseUrl?: string
  /** the embedded cluster's folder; `memory://` (with anything after it) keeps it in memory */
  dataDir: string
  /** PostgreSQL connections (default 10) */
  poolSize?: number
  /** the embedded database's name (default 'neondb'); a PostgreSQL database is named by its URL */
  name?: string
}>

const IN_MEMORY = 'memory://'

export async function openDatabase(config: OpenDatabaseConfig): Promise<Database> {
  if (config.databaseUrl) {
    return createPostgresDatabase({ url: config.databaseUrl, poolSize: config.poolSize, applicationName: 'data-api' })
  }
  if (config.dataDir.startsWith(IN_MEMORY)) return createPgliteDatabase({ name: config.name })
  await mkdir(config.dataDir, { recursive: true })
  return createPgliteDatabase({ dataDir: config.dataDir, name: config.name })
}
