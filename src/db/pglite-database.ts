/**
 * The Database on embedded PGlite (PostgreSQL in WASM, in this process). PGlite is one session, so
 * every operation is serialised here; a request runs as a real transaction (BEGIN ... COMMIT), which
 * costs nothing extra in-process.
 *
 * Values go in and out the way they do with node-postgres, so both backends behave alike:
 * parameters are text in pg's format and Postgres infers their types (PGlite would otherwise pick a
 * serializer from the inferred type, e.g. JSON.stringify a string bound to a json parameter), and
 * results are read as raw text, then parsed with pg's own type parsers where the contract wants
 * JS values (query, exec).
 */
import { PGlite, type QueryOptions, type Results } from '@electric-sql/pglite'
import pg from 'pg'
import { quoteIdent } from '../sql/fragment.js'
import type { Batch, Database, QueryResult, ResultRow } from './database.js'
import { prepareValue } from './pg-wire.js'

export type PgliteDatabaseOptions = Readonly<{
  /** where the cluster lives on disk; undefined = in memory */
  dataDir?: string
  /** the database name served at /{name}/rest/v1 (default 'neondb') */
  name?: string
  /** start from this dump of another cluster (PGlite's dumpDataDir) instead of an empty one */
  loadDataDir?: Blob
}>

/** pg's parameter text; bytea goes as its hex text form since PGlite binds everything as text. */
function toParamText(value: unknown): string {
  const prepared = prepareValue(value)
  if (prepared === null) return '' // not reached: PGlite binds null itself, before any serializer
  return typeof prepared === 'string' ? prepared : `\\x${prepared.toString('hex')}`
}

/** Every parameter, whatever type Postgres inferred for it, goes through toParamText. */
const textSerializers: NonNullable<QueryOptions['serializers']> = new Proxy(
  {},
  { get: () => toParamText },
)

const keepText = (text: string): string => text

function textValue(value: unknown): string | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'string') return value
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}

/** Raw text row → the contract's ResultRow (strings already; anything else is normalised). */
function toResultRow(row: Readonly<Record<string, unknown>>): ResultRow {
  const out: Record<string, string | null> = {}
  for (const key in row) out[key] = textValue(row[key])
  return out
}

/** Parses a raw text result with node-postgres's type parsers, as the postgres backend would. */
function parseLikePg(result: Results<Record<string, unknown>>): QueryResult {
  const fields = result.fields
  const parsers = fields.map((f) => pg.types.getTypeParser(f.dataTypeID, 'text') as (text: string) => unknown)
  const rows = result.rows.map((raw) => {
    const row: Record<string, unknown> = {}
    fields.forEach((f, i) => {
      const text = raw[f.name]
      row[f.name] = typeof text === 'string' ? (parsers[i] as (text: string) => unknown)(text) : (text ?? null)
    })
    return row
  })
  return { fields: fields.map((f) => f.name), rows, command: result.command ?? null, rowCount: result.rowCount ?? null }
}

/** Runs tasks one at a time, in call order; a failure does not stop the queue. */
function createSerialQueue(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve()
  return <T>(task: () => Promise<T>): Promise<T> => {
    const result = tail.then(task)
    tail = result.catch(() => {})
    return result
  }
}

export async function createPgliteDatabase(options: PgliteDatabaseOptions = {}): Promise<Database> {
  const db = await PGlite.create({
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
  })
  const serial = createSerialQueue()

  // Identity parsers for every type PGlite knows (built-ins and their arrays, loaded at start-up);
  // types created later have no parser in PGlite and arrive as text anyway.
  const rawText: QueryOptions = {
    parsers: Object.fromEntries(Object.keys(db.parsers).map((oid) => [oid, keepText])),
    serializers: textSerializers,
  }

  /** A script may leave its own transaction open or failed; never let it leak into the next call. */
  async function endOpenTransaction(): Promise<void> {
    if (db.isInTransaction()) await db.exec('ROLLBACK')
  }

  async function run(batch: Batch): Promise<ResultRow[]> {
    return serial(() =>
      db.transaction(async (tx) => {
        if (batch.readOnly) await tx.exec('SET TRANSACTION READ ONLY')
        await tx.query(batch.env.text, [...batch.env.values], rawText)
        if (batch.preRequest) await tx.query(batch.preRequest.text, [...batch.preRequest.values], rawText)
        const result = await tx.query<Record<string, unknown>>(batch.main.text, [...batch.main.values], rawText)
        const rows = result.rows.map(toResultRow)
        // throwing from check makes db.transaction roll back and rethrow
        if (batch.check && batch.check(rows) === 'rollback') await tx.rollback()
        return rows
      }),
    )
  }

  // channel → callbacks; LISTEN is issued for the first callback and UNLISTEN after the last
  const subscribers = new Map<string, Set<(payload: string) => void>>()
  // PGlite's own listen() interpolates the channel unquoted; we quote it and dispatch ourselves
  db.onNotification((channel, payload) => {
    for (const callback of subscribers.get(channel) ?? []) callback(payload)
  })

  const database: Database = {
    kind: 'pglite',
    name: options.name ?? 'neondb',
    run,
    query: <T = Record<string, unknown>>(text: string, values: readonly unknown[] = []) =>
      serial(async () => {
        try {
          return parseLikePg(await db.query<Record<string, unknown>>(text, [...values], rawText)).rows as T[]
        } finally {
          await endOpenTransaction()
        }
      }),
    exec: (script: string) =>
      serial(async () => {
        try {
          return (await db.exec(script, rawText)).map((r) => parseLikePg(r as Results<Record<string, unknown>>))
        } finally {
          await endOpenTransaction()
        }
      }),
    listen: (channel, onNotify) =>
      serial(async () => {
        let callbacks = subscribers.get(channel)
        if (!callbacks) {
          await db.exec(`LISTEN ${quoteIdent(channel)}`)
          callbacks = new Set()
          subscribers.set(channel, callbacks)
        }
        // each listen() gets its own entry, even for the same function passed twice
        const entry = (payload: string): void => onNotify(payload)
        callbacks.add(entry)
        return () =>
          serial(async () => {
            const current = subscribers.get(channel)
            if (!current?.delete(entry) || current.size > 0) return
            subscribers.delete(channel)
            if (!db.closed) await db.exec(`UNLISTEN ${quoteIdent(channel)}`)
          })
      }),
    withPglite: <T>(use: (pglite: PGlite) => Promise<T>) =>
      serial(async () => {
        try {
          return await use(db)
        } finally {
          await endOpenTransaction()
        }
      }),
    close: () =>
      serial(async () => {
        subscribers.clear()
        if (!db.closed) await db.close()
      }),
  }
  return database
}
