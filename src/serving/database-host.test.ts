import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../config/load-config.js'
import { createLogger } from '../server/logger.js'
import { DatabaseHost, type Step } from './database-host.js'
import { createPgliteStore } from './pglite-store.js'

describe('DatabaseHost', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dapi-host-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const serve = async () => {
    const config = loadConfig({ DATA_API_DIR: dir })
    const labels: string[] = []
    const step: Step = (label, work) => {
      labels.push(label)
      return work()
    }
    const store = await createPgliteStore({ dataDir: dir, defaultName: 'neondb' })
    const host = new DatabaseHost({
      store,
      base: config,
      logger: createLogger('silent'),
      serverUrl: () => 'http://127.0.0.1:1',
      localJwtSecret: 'a-local-secret-of-at-least-thirty-two-characters',
      onInternalError: () => undefined,
      schemaCacheStats: { loads: 0, failures: 0, lastLoadSeconds: undefined },
      step,
    })
    expect(await host.open('neondb')).toBeDefined()
    await host.close()
    return labels
  }

  it('names the slow steps of opening the default database, first start and later ones', async () => {
    expect(await serve()).toEqual([
      `Creating the embedded database "neondb" in ${dir} (first start only)`,
      `Bootstrapping "neondb": data-api's roles, functions and schema`,
      `Loading the schema and the auth service of "neondb"`,
    ])
    expect(await serve()).toEqual([
      'Opening the embedded database "neondb"',
      `Bootstrapping "neondb": data-api's roles, functions and schema`,
      `Loading the schema and the auth service of "neondb"`,
    ])
  })
})
