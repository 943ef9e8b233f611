/** The store a configuration names: the PostgreSQL cluster of DATABASE_URL, or the embedded databases. */
import type { Logger } from 'pino'
import type { AppConfig } from '../config/app-config.js'
import type { DatabaseStore } from './database-store.js'
import { createPgliteStore } from './pglite-store.js'
import { createPostgresStore } from './postgres-store.js'

export async function openStore(config: AppConfig, logger: Logger, purpose?: string): Promise<DatabaseStore> {
  if (config.databaseUrl) {
    return createPostgresStore({
      url: config.databaseUrl,
      directUrl: config.databaseDirectUrl,
      poolSize: config.poolSize,
      acquireTimeoutMs: config.poolTimeoutSeconds * 1000,
      preparedStatements: config.preparedStatements,
    })
  }
  return createPgliteStore({ dataDir: config.dataDir, defaultName: config.embeddedName, purpose, onWarning: (m) => logger.warn(m) })
}
