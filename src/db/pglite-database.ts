/**
 * The Database on embedded PGlite (PostgreSQL in WASM, in this process). PGlite is one session, so
 * every operation is serialised here. A request goes in as one batch of protocol messages with a
 * single Sync, like on PostgreSQL (batch-statements.ts): one call into PGlite, an implicit
 * transaction, and statements prepared once per shape, so PGlite neither parses nor plans a request's
 * SQL again. (Through db.query, with a BEGIN, a SET TRANSACTION and a COMMIT around, the same request
 * took five calls, each parsing and planning its text, and each copying PGlite's 300-odd type parsers
 * to keep the results as text: about ten times the cost of a simple read.)
 *
 * Values go in and out the way they do with node-postgres, so both backends behave alike:
 * parameters are text in pg's format and Postgres infers their types (PGlite would otherwise pick a
 * serializer from the inferred type, e.g. JSON.stringify a string bound to a json parameter), and
 * results are read as raw text, then parsed with pg's own type parsers where the contract wants
 * JS values (query, exec).
 */
import { PGlite, protocol, type QueryOptions, type Results } from '@electric-sql/pglite'
import pg from 'pg'
import { quoteIdent } from '../sql/fragment.js'
import { batchStatements, type BatchStatement } from './batch-statements.js'
import type { Batch, Database, QueryResult, ResultRow } from './database.js'
import { prepareValue } from './pg-wire.js'
import { PreparedStatements } from './prepared-statements.js'
import { createSerialQueue } from './serial-queue.js'
import { statementName } from './statement-name.js'

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

function rowOf(columns: readonly string[], fields: readonly (string | null)[]): ResultRow {
  const row: Record<string, string | null> = {}
  for (let i = 0; i < columns.length; i++) row[columns[i] as string] = fields[i] ?? null
  return row
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
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

  const prepared = new PreparedStatements()

  /** Sends the statements as one batch with a single Sync; returns the rows of the one that keeps them. */
  async function sendBatch(statements: readonly BatchStatement[]): Promise<ResultRow[]> {
    const { serialize } = protocol
    const batchId = prepared.beginBatch()
    const parts: Uint8Array[] = prepared.takeEvicted().map((name) => serialize.close({ type: 'S', name }))
    for (const statement of statements) {
      const name = statementName(statement.text)
      // one session, one batch at a time: a Parse is never pending from an earlier batch here
      if (prepared.decide(name) === 'parse') parts.push(serialize.parse({ name, text: statement.text, types: [] }))
      parts.push(serialize.bind({ statement: name, values: statement.values.map((v) => (v === null || v === undefined ? null : toParamText(v))) }))
      if (statement.keepRows) parts.push(serialize.describe({ type: 'P', name: '' }))
      parts.push(serialize.execute({}))
    }
    parts.push(serialize.sync())
    const { messages } = await db.execProtocol(concat(parts), { throwOnError: false })
    const keep = statements.findIndex((s) => s.keepRows)
    let index = 0
    let columns: readonly string[] = []
    const rows: ResultRow[] = []
    try {
      for (const message of messages) {
        switch (message.name) {
          case 'parseComplete':
            prepared.parseCompleted()
            break
          case 'rowDescription':
            if (index === keep) columns = (message as unknown as { fields: readonly { name: string }[] }).fields.map((f) => f.name)
            break
          case 'dataRow':
            if (index === keep) rows.push(rowOf(columns, (message as unknown as { fields: readonly (string | null)[] }).fields))
            break
          case 'commandComplete':
          case 'emptyQuery':
            index++
            break
          case 'error':
            throw message
        }
      }
    } finally {
      prepared.batchEnded(batchId)
    }
    return rows
  }

  async function run(batch: Batch): Promise<ResultRow[]> {
    const statements = batchStatements(batch)
    const { check } = batch
    return serial(async () => {
      if (!check) return sendBatch(statements)
      // BEGIN, env and main in one call, then the check decides COMMIT or ROLLBACK
      try {
        const rows = await sendBatch(statements)
        await db.exec(check(rows) === 'commit' ? 'COMMIT' : 'ROLLBACK')
        return rows
      } finally {
        await endOpenTransaction()
      }
    })
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
