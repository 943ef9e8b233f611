/**
 * Holds the current SchemaCache and replaces it whole on reload. Reloads are coalesced: a burst of
 * DDL notifications while a load runs causes exactly one more load, never a pile of them.
 */
import type { Database } from '../db/database.js'
import { loadSchemaCache } from './load-schema-cache.js'
import type { SchemaCache } from './types.js'

export type SchemaCacheEvents = Readonly<{
  onLoaded?: (cache: SchemaCache, ms: number) => void
  onError?: (err: unknown) => void
}>

export class SchemaCacheStore {
  private cache: SchemaCache | undefined
  private running: Promise<void> | undefined
  private again = false

  constructor(
    private readonly db: Database,
    private schemas: readonly string[],
    private readonly events: SchemaCacheEvents = {},
  ) {}

  current(): SchemaCache | undefined {
    return this.cache
  }

  setSchemas(schemas: readonly string[]): void {
    this.schemas = schemas
  }

  /** Resolves once a load that started after this call has finished (or failed). */
  reload(): Promise<void> {
    if (this.running) {
      this.again = true
      return this.running.then(() => (this.running ? this.running : undefined))
    }
    this.running = this.loadLoop().finally(() => {
      this.running = undefined
    })
    return this.running
  }

  private async loadLoop(): Promise<void> {
    do {
      this.again = false
      const started = performance.now()
      try {
        const cache = await loadSchemaCache((text, values) => this.db.query(text, values), this.schemas)
        this.cache = cache
        this.events.onLoaded?.(cache, performance.now() - started)
      } catch (err) {
        this.events.onError?.(err)
        if (!this.again) throw err
      }
    } while (this.again)
  }
}
