/**
 * The few node-postgres internals the one-round-trip batch needs, typed locally: @types/pg describes
 * the Connection's message writers loosely (and not `utils` at all), so we state exactly what we use.
 * Everything here exists in pg 8.23 (lib/connection.js, lib/utils.js, pg-protocol).
 */
import type { Duplex } from 'node:stream'
import pg from 'pg'

/** A value as it goes on the wire: text, binary (Buffer) or SQL NULL. */
export type WireValue = string | Buffer | null

/** The message writers of pg's Connection (lib/connection.js); each writes one frontend message. */
export interface WireConnection {
  readonly stream: Duplex
  parse(msg: { name: string; text: string; types?: number[] }): void
  bind(msg: { portal?: string; statement: string; values: readonly WireValue[]; binary?: boolean }): void
  describe(msg: { type: 'S' | 'P'; name: string }): void
  execute(msg: { portal?: string; rows?: number }): void
  close(msg: { type: 'S' | 'P'; name: string }): void
  sendCopyFail(message: string): void
  sync(): void
  on(event: 'parseComplete', listener: () => void): unknown
}

/** Backend messages pg hands to the active query (pg-protocol's parsed message shapes). */
export type RowDescriptionMessage = { readonly fields: readonly { readonly name: string }[] }
export type DataRowMessage = { readonly fields: readonly (string | null)[] }
export type CommandCompleteMessage = { readonly text: string }

type PgUtils = { prepareValue(value: unknown): WireValue }

const utils = (pg as unknown as { utils?: Partial<PgUtils> }).utils
if (typeof utils?.prepareValue !== 'function') {
  throw new Error('pg.utils.prepareValue is missing: the installed pg is not the version data-api was built for')
}
const pgPrepareValue = utils.prepareValue.bind(utils)

/**
 * JS value → parameter text, exactly as pg's own queries do it (strings as-is, numbers via String,
 * arrays as array literals, plain objects as JSON, Buffers as binary bytea).
 */
export function prepareValue(value: unknown): WireValue {
  return pgPrepareValue(value)
}

export const DatabaseError = pg.DatabaseError

/**
 * pg's pipeline mode refuses query objects that are not its own Query (pg-cursor and friends keep a
 * portal open across round trips, which would corrupt the pipeline). A batch that ends with its Sync
 * keeps no portal open, so it is made to pass that check: instances of `cls` become `instanceof
 * pg.Query` without running Query's constructor. `cls` must implement every handle* method pg calls.
 */
export function allowInPipelineMode(cls: abstract new (...args: never[]) => object): void {
  const Query = (pg as unknown as { Query?: { prototype: object } }).Query
  if (!Query) throw new Error('pg.Query is missing: the installed pg is not the version data-api was built for')
  Object.setPrototypeOf(cls.prototype, Query.prototype)
}
