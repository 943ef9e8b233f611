/**
 * Where databases live: the databases of a PostgreSQL cluster, or the embedded databases in the data
 * folder (one PGlite folder each, or in memory). The store lists, opens, creates and drops them;
 * sharing an open database between requests and management is database-host.ts's job.
 */
import type { Database } from '../db/database.js'

export interface DatabaseStore {
  readonly kind: 'pglite' | 'postgres'
  /** the database served without naming one (DATABASE_URL's, or the embedded default) */
  readonly defaultName: string
  /** every database there is, default first */
  list(): Promise<string[]>
  exists(name: string): Promise<boolean>
  /**
   * A new handle on an existing database; the caller closes it. `servedAs` names the handle (the
   * path it is served under, `branches/dev/neondb` for a branch's copy); default: the database's name.
   */
  open(name: string, options?: Readonly<{ poolSize?: number; servedAs?: string }>): Promise<Database>
  /** What opening it will do, said to a person waiting: "Creating …" for an embedded database's first start */
  describeOpen?(name: string): string
  /** The connection URL of a database (PostgreSQL only), for libraries that connect themselves. */
  connectionUrl(name: string): string | undefined
  /**
   * Creates an empty database, or a copy: of `template` on PostgreSQL (whose connections the caller
   * has closed), of `dump` (PGlite's dumpDataDir of the original) when embedded. Fails with
   * StoreError('exists') when the name is taken.
   */
  create(name: string, options?: Readonly<{ template?: string; dump?: Blob }>): Promise<void>
  /** Removes a database for good (its handles closed first by the caller). */
  drop(name: string): Promise<void>
  close(): Promise<void>
}

export type StoreErrorKind = 'exists' | 'missing' | 'busy' | 'invalid'

export class StoreError extends Error {
  override readonly name = 'StoreError'
  constructor(
    readonly kind: StoreErrorKind,
    message: string,
  ) {
    super(message)
  }
}
