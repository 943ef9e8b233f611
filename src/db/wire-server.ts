/**
 * The embedded database on the PostgreSQL wire protocol, for psql, pg_dump, drizzle-kit, Prisma and
 * any driver: a TCP listener on the loopback interface whose clients talk to the very PGlite
 * instance the API serves. pglite-socket frames the client's messages; this module decides when each
 * client may use the instance.
 *
 * Sharing one single-session PGlite safely:
 * - A wire client gets the instance through Database.withPglite, queued with the API's operations,
 *   for one message at a time, and keeps it for as long as the backend is not idle for it: inside a
 *   transaction block, and in the middle of an extended-protocol batch (Parse... before Sync). So a
 *   wire transaction is never interleaved with API requests or with another wire client.
 * - A client that keeps the instance but sends nothing for `idleInTransactionMs` is disconnected
 *   with FATAL 25P03 (as PostgreSQL's idle_in_transaction_session_timeout) and its transaction
 *   rolled back, so it cannot freeze the API for longer than that. While one of its statements runs,
 *   nothing else runs: a long statement holds the API back for its whole duration.
 * - Session settings a client makes (search_path, role, startup options...) are kept per client and
 *   taken off the session whenever it gives the instance back (wire-session-state.ts).
 * Not shared per client (one backend underneath): named prepared statements, temporary tables,
 * LISTEN/NOTIFY, advisory locks held outside a transaction. No authentication: anyone who can reach
 * the port is the superuser, so only loopback addresses are accepted.
 */
import { createServer, type Socket } from 'node:net'
import type { PGliteInterface } from '@electric-sql/pglite'
import { PGLiteSocketHandler, type PGLiteSocketHandlerOptions } from '@electric-sql/pglite-socket'
import type { Database } from './database.js'
import { BackendStream, errorResponse, SYNC } from './wire-protocol.js'
import { applySettings, readSettings, takeSettings, type SessionSettings } from './wire-session-state.js'

export type WireServerOptions = Readonly<{
  /** a loopback address (default 127.0.0.1) */
  host?: string
  /** 0 picks a free port */
  port: number
  /** how long a client may hold the instance (open transaction or half-sent batch) without sending anything (default 10 s) */
  idleInTransactionMs?: number
  /** connections at once (default 16); more are refused with 53300 */
  maxConnections?: number
}>

export type WireServer = Readonly<{
  /** `postgresql://postgres@127.0.0.1:{port}/postgres?sslmode=disable` */
  url: string
  port: number
  /** Stops listening, disconnects every client (rolling back what they left open). */
  close(): Promise<void>
}>

export const DEFAULT_IDLE_IN_TRANSACTION_MS = 10_000
export const DEFAULT_MAX_CONNECTIONS = 16

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/

type Lease = {
  readonly id: number
  readonly pglite: PGliteInterface
  readonly release: () => void
  idleTimer?: NodeJS.Timeout
  /** the message being run for the holder, if any: cleanup waits for it */
  running?: Promise<void>
}

/** Lends the instance: resolves once every operation queued before has settled. */
function lease(db: Database, id: number): Promise<Lease> {
  const withPglite = db.withPglite
  if (!withPglite) throw new Error('the wire server needs the embedded database')
  return new Promise((resolve, reject) => {
    withPglite((pglite) => new Promise<void>((release) => resolve({ id, pglite, release }))).catch(reject)
  })
}

/**
 * What PGLiteSocketHandler asks of its queue: run a message (answering through onData), forget a
 * disconnected client's queued messages, end what it left open.
 */
class WireSessions {
  private holder: Lease | undefined
  private readonly settings = new Map<number, SessionSettings>()
  /** clients that went while a message of theirs waited for the instance */
  private readonly gone = new Set<number>()
  private readonly waiting = new Set<number>()
  private readonly stream = new BackendStream()

  constructor(
    private readonly db: Database,
    private readonly baseline: SessionSettings,
    private readonly idleInTransactionMs: number,
    private readonly onIdleTimeout: (id: number) => void,
  ) {}

  async enqueue(id: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    let current = this.holder?.id === id ? this.holder : undefined
    if (current) clearTimeout(current.idleTimer)
    else {
      this.waiting.add(id)
      current = await lease(this.db, id).finally(() => this.waiting.delete(id))
      if (this.gone.delete(id)) {
        current.release()
        throw new Error('client disconnected')
      }
      this.holder = current
      await applySettings(current.pglite, this.settings.get(id) ?? new Map())
    }
    let bytes = 0
    this.stream.reset()
    const running = current.pglite.execProtocolRawStream(message, {
      onRawData: (data) => {
        for (const part of this.stream.feed(data)) {
          bytes += part.length
          onData(part)
        }
      },
    })
    current.running = running.catch(() => undefined)
    try {
      await running
    } finally {
      current.running = undefined
      // idle again (ReadyForQuery 'I'): others may have the instance; anything else keeps it
      const terminate = message[0] === 0x58
      if (this.stream.last === 'I' || terminate) await this.giveBack(id, !terminate)
      else if (this.holder === current) current.idleTimer = setTimeout(() => this.onIdleTimeout(id), this.idleInTransactionMs).unref()
    }
    return bytes
  }

  clearQueueForHandler(id: number): void {
    if (this.waiting.has(id)) this.gone.add(id)
  }

  /** Called when a client goes: end its batch and transaction, give the instance back, forget it. */
  async clearTransactionIfNeeded(id: number): Promise<void> {
    if (this.waiting.has(id)) this.gone.add(id)
    this.settings.delete(id)
    const current = this.holder
    if (current?.id !== id) return
    clearTimeout(current.idleTimer)
    await current.running
    if (this.holder !== current) return
    await current.pglite.execProtocolRaw(SYNC).catch(() => undefined)
    if (current.pglite.isInTransaction()) await current.pglite.exec('ROLLBACK').catch(() => undefined)
    await this.giveBack(id, false)
  }

  /** Takes the client's settings off the session (keeping them for its next turn, unless it is gone) and releases the instance. */
  private async giveBack(id: number, keepSettings = true): Promise<void> {
    const current = this.holder
    if (current?.id !== id) return
    this.holder = undefined
    try {
      // what the client's statements notified (the schema cache's DDL trigger...) goes to the API's
      // listeners, as if the API had sent it
      for (const n of this.stream.notifications.splice(0)) await current.pglite.query('select pg_notify($1, $2)', [n.channel, n.payload])
      const changed = await takeSettings(current.pglite, this.baseline)
      if (keepSettings) this.settings.set(id, changed)
    } finally {
      current.release()
    }
  }
}

/** Starts listening on a loopback address; the URL connects psql, pg_dump, drizzle-kit and drivers to `db`. */
export async function startWireServer(db: Database, options: WireServerOptions): Promise<WireServer> {
  const host = options.host ?? '127.0.0.1'
  if (!LOOPBACK.test(host)) throw new Error(`the wire server listens on loopback addresses only (it has no authentication), not ${host}`)
  if (db.kind !== 'pglite' || !db.withPglite) throw new Error('the wire server serves the embedded database; PostgreSQL has its own')
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS
  const baseline = await db.withPglite((pglite) => readSettings(pglite))

  const sockets = new Map<number, Readonly<{ socket: Socket; handler: PGLiteSocketHandler }>>()
  const disconnect = (id: number, error?: Buffer) => {
    const entry = sockets.get(id)
    if (!entry) return
    sockets.delete(id)
    if (error && entry.socket.writable) entry.socket.write(error)
    void entry.handler.detach(true)
  }
  const sessions = new WireSessions(db, baseline, options.idleInTransactionMs ?? DEFAULT_IDLE_IN_TRANSACTION_MS, (id) =>
    disconnect(id, errorResponse('FATAL', '25P03', 'terminating connection due to idle-in-transaction timeout')),
  )

  const open = new Set<Socket>()
  const server = createServer((socket) => {
    open.add(socket)
    socket.once('close', () => open.delete(socket))
    if (sockets.size >= maxConnections) {
      socket.end(errorResponse('FATAL', '53300', 'sorry, too many clients already'))
      return
    }
    // the handler only calls enqueue, clearQueueForHandler and clearTransactionIfNeeded
    const queryQueue = sessions as unknown as PGLiteSocketHandlerOptions['queryQueue']
    const handler = new PGLiteSocketHandler({ queryQueue, closeOnDetach: true })
    sockets.set(handler.handlerId, { socket, handler })
    const forget = () => sockets.delete(handler.handlerId)
    handler.addEventListener('close', forget)
    handler.addEventListener('error', forget)
    void handler.attach(socket)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : options.port
  const urlHost = host.includes(':') ? `[${host}]` : host

  let closing: Promise<void> | undefined
  return {
    url: `postgresql://postgres@${urlHost}:${port}/postgres?sslmode=disable`,
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const id of [...sockets.keys()]) disconnect(id)
        for (const socket of open) socket.destroy()
      })),
  }
}
