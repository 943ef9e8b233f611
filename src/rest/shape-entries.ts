/**
 * What the read and write shape caches keep: at most MAX_ENTRIES plans by shape key (the oldest goes
 * first), `null` for a shape known not to be templatable, all forgotten when the schema cache they
 * were planned against is replaced.
 */
import type { SchemaCache } from '../schema-cache/types.js'
import type { RawRequest } from './api-request/parse-api-request.js'

const MAX_ENTRIES = 1000

export class ShapeEntries<E> {
  private entries = new Map<string, E | null>()
  private forCache: SchemaCache | undefined

  /** The entry of a shape under this schema cache: undefined when there is none yet. */
  get(cache: SchemaCache, key: string): E | null | undefined {
    if (this.forCache !== cache) {
      this.entries = new Map()
      this.forCache = cache
    }
    return this.entries.get(key)
  }

  set(key: string, entry: E | null): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string)
    this.entries.set(key, entry)
  }
}

/** A request header as one string, part of a shape key (repeated headers joined as HTTP joins them). */
export function shapeHeader(raw: RawRequest, name: string): string {
  const v = raw.headers[name]
  return Array.isArray(v) ? v.join(', ') : (v ?? '')
}
