/**
 * `data-api auth rotate-keys` without a running server: opens the database, creates a new signing
 * key with the service's secret, and retires (or, with revoke, deletes) the others. Servers pick the
 * new key up on their next token and notice retired keys within a minute.
 */
import type { Logger } from 'pino'
import type { AppConfig } from '../config/app-config.js'
import { bootstrapDatabase } from '../db/bootstrap.js'
import { openDatabase } from '../db/open-database.js'
import { openAuthService, type RotateResult } from './auth-service.js'

export async function rotateSigningKeys(config: AppConfig, options: Readonly<{ revoke?: boolean; logger: Logger }>): Promise<RotateResult> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1, name: config.embeddedName })
  try {
    await bootstrapDatabase(db)
    const service = await openAuthService({
      db,
      settings: config.authService,
      databaseUrl: config.databaseUrl,
      anonRole: config.anonRole,
      logger: options.logger,
    })
    try {
      return await service.rotateKeys({ revoke: options.revoke })
    } finally {
      await service.close()
    }
  } finally {
    await db.close()
  }
}
