/**
 * The request connections to PostgreSQL: a fixed set, all opened at start and kept, each in pg's
 * pipeline mode. A request's batch ends with its own Sync, so it is its own implicit transaction and
 * needs no connection to itself: it is written at once to the connection with the fewest batches in
 * flight, behind whatever is already there (up to `depth` batches per connection; beyond that,
 * requests wait in one queue, first come first served). No checkout per request, and a backend that
 * finds several requests in one read answers them without sleeping in between.
 *
 * Work that needs a connection to itself (an explicit transaction whose end depends on the rows,
 * admin queries and scripts) takes the least busy connection out of the rotation, waits until the
 * batches already on it are answered, and gives it back when done.
 *
 * A connection that fails is dropped (what was in flight on it fails with it) and opened again on
 * its next use.
 *
 * A batch whose caller went away (its signal aborted) is abandoned. Once every batch in flight on a
 * connection is abandoned, the connection's statement is cancelled, again as each one ends (the next is
 * already queued on the socket), and now and then meanwhile (a cancel that lands between two batches
 * is ignored by PostgreSQL). No new batch goes to a connection with abandoned batches or a cancel on its
 * way, so a cancel can never reach a batch someone still waits for, and nobody waits behind a sleep
 * nobody wants.
 */
import pg from 'pg'
import type { AbortLike } from './database.js'

type Slot = {
  client: pg.Client | undefined
  connecting: Promise<pg.Client> | undefined
  /** batches written and not yet answered */
  inFlight: number
  /** held or awaited by an exclusive user: no new batches go to it */
  reserved: boolean
  drained: (() => void) | undefined
  /** batches in flight whose callers went away */
  abandoned: number
  /** cancel requests sent and not yet handled */
  cancelling: number
  cancelTimer: NodeJS.Timeout | undefined
}

type Use = 'pipelined' | 'exclusive'
type Waiter = Readonly<{ use: Use; resolve: (slot: Slot) => void; reject: (error: Error) => void }>

/** No connection had room for the request within the acquire timeout. */
export class PoolTimeoutError extends Error {
  override readonly name = 'PoolTimeoutError'
  readonly code = 'POOL_TIMEOUT'
}

/** The request's caller gave up (the HTTP client went away) before its batch was sent. */
export class RequestAbortedError extends Error {
  override readonly name = 'RequestAbortedError'
  readonly code = 'REQUEST_ABORTED'
}

export type PoolCounts = Readonly<{ max: number; total: number; idle: number; waiting: number }>

export type PipelinedPoolOptions = Readonly<{
  newClient: () => pg.Client
  size: number
  /** batches in flight per connection before requests queue */
  depth: number
  /** what a failure to connect becomes, for the caller of pipelined() or exclusive() */
  connectError: (cause: unknown) => Error
  /** how long a request may wait for room on a connection before PoolTimeoutError (default: no bound) */
  acquireTimeoutMs?: number
  /** cancels what the client's backend runs; settles once the server has handled it */
  cancel?: (client: pg.Client) => Promise<void>
  /** how often the statements of a connection whose batches are all abandoned are cancelled again (default 200 ms) */
  recancelMs?: number
}>

export class PipelinedPool {
  private readonly slots: Slot[]
  private readonly waiting: Waiter[] = []
  private closed = false

  constructor(private readonly options: PipelinedPoolOptions) {
    if (options.depth < 1) throw new RangeError('the pipeline depth must be at least 1')
    this.slots = Array.from({ length: options.size }, () => ({
      client: undefined,
      connecting: undefined,
      inFlight: 0,
      reserved: false,
      drained: undefined,
      abandoned: 0,
      cancelling: 0,
      cancelTimer: undefined,
    }))
  }

  /** Opens every connection; rejects with the first failure (and closes the others). */
  async open(): Promise<void> {
    const opened = await Promise.allSettled(this.slots.map((slot) => this.clientOf(slot)))
    const failed = opened.find((result) => result.status === 'rejected')
    if (failed) {
      await this.close()
      throw failed.reason
    }
  }

  /**
   * Runs `send` (which writes one batch ending with a Sync) on the least busy connection. When
   * `signal` aborts, the batch is abandoned (see above): its statement is cancelled once nothing
   * else in flight on the connection is still wanted.
   */
  async pipelined<T>(send: (client: pg.Client) => Promise<T>, signal?: AbortLike): Promise<T> {
    const slot = this.take('pipelined') ?? (await this.queue('pipelined', signal))
    let abandoned = false
    const onAbort = () => {
      abandoned = true
      slot.abandoned++
      this.cancelAbandoned(slot)
    }
    try {
      const client = slot.client ?? (await this.connected(slot))
      if (signal?.aborted) throw new RequestAbortedError('the request was abandoned before its batch was sent')
      signal?.addEventListener('abort', onAbort, { once: true })
      return await send(client)
    } finally {
      signal?.removeEventListener('abort', onAbort)
      slot.inFlight--
      if (abandoned) slot.abandoned--
      if (slot.inFlight === 0) slot.drained?.()
      this.cancelAbandoned(slot)
      this.handOff()
    }
  }

  /** Runs `use` on a connection of its own: nothing else is in flight on it meanwhile. */
  async exclusive<T>(use: (client: pg.Client, discard: () => void) => Promise<T>, signal?: AbortLike): Promise<T> {
    const slot = this.take('exclusive') ?? (await this.queue('exclusive', signal))
    try {
      if (slot.inFlight > 0) await new Promise<void>((resolve) => (slot.drained = resolve))
      slot.drained = undefined
      const client = slot.client ?? (await this.connected(slot))
      return await use(client, () => this.discard(slot, client))
    } finally {
      slot.reserved = false
      this.handOff()
    }
  }

  counts(): PoolCounts {
    let total = 0
    let idle = 0
    for (const slot of this.slots) {
      if (slot.client) total++
      if (slot.client && slot.inFlight === 0 && !slot.reserved) idle++
    }
    return { max: this.slots.length, total, idle, waiting: this.waiting.length }
  }

  async close(): Promise<void> {
    this.closed = true
    for (const waiter of this.waiting.splice(0)) waiter.reject(new Error('the pool is closed'))
    const clients = this.slots.map((slot) => slot.client).filter((c): c is pg.Client => c !== undefined)
    for (const slot of this.slots) {
      slot.client = undefined
      clearTimeout(slot.cancelTimer)
    }
    await Promise.all(clients.map((c) => c.end().catch(() => {})))
  }

  /** The least busy usable connection, counted as taken for `use`; none when every one is full or reserved. */
  private take(use: Use): Slot | undefined {
    if (this.waiting.length > 0) return undefined // first come, first served
    return this.assign(use)
  }

  private assign(use: Use): Slot | undefined {
    let best: Slot | undefined
    for (const slot of this.slots) {
      if (slot.reserved || slot.inFlight >= this.options.depth || slot.abandoned > 0 || slot.cancelling > 0) continue
      if (best === undefined || slot.inFlight < best.inFlight) best = slot
    }
    if (best) {
      if (use === 'pipelined') best.inFlight++
      else best.reserved = true
    }
    return best
  }

  private queue(use: Use, signal?: AbortLike): Promise<Slot> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined
      const leave = (error: Error) => {
        const index = this.waiting.indexOf(waiter)
        if (index === -1) return
        this.waiting.splice(index, 1)
        reject(error)
      }
      const onAbort = () => leave(new RequestAbortedError('the request was abandoned while it waited for a connection'))
      const waiter: Waiter = {
        use,
        resolve: (slot) => {
          clearTimeout(timer)
          signal?.removeEventListener('abort', onAbort)
          resolve(slot)
        },
        reject,
      }
      this.waiting.push(waiter)
      const timeout = this.options.acquireTimeoutMs
      if (timeout !== undefined) {
        timer = setTimeout(() => leave(new PoolTimeoutError(`no connection was free within ${timeout} ms`)), timeout)
        timer.unref()
      }
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  /** Gives freed room to the requests waiting for it, in arrival order. */
  private handOff(): void {
    while (this.waiting.length > 0) {
      const slot = this.assign((this.waiting[0] as Waiter).use)
      if (!slot) return
      ;(this.waiting.shift() as Waiter).resolve(slot)
    }
  }

  /** Cancels the slot's statement when every batch in flight on it is abandoned; keeps at it until none is. */
  private cancelAbandoned(slot: Slot): void {
    const cancel = this.options.cancel
    const client = slot.client
    const allAbandoned = slot.inFlight > 0 && slot.abandoned === slot.inFlight
    if (!allAbandoned || !cancel || !client || this.closed) {
      clearTimeout(slot.cancelTimer)
      slot.cancelTimer = undefined
      return
    }
    slot.cancelling++
    void cancel(client).finally(() => {
      slot.cancelling--
      this.handOff()
    })
    clearTimeout(slot.cancelTimer)
    slot.cancelTimer = setTimeout(() => this.cancelAbandoned(slot), this.options.recancelMs ?? 200)
    slot.cancelTimer.unref()
  }

  private connected(slot: Slot): Promise<pg.Client> {
    return this.clientOf(slot).catch((cause: unknown) => {
      throw this.options.connectError(cause)
    })
  }

  private clientOf(slot: Slot): Promise<pg.Client> {
    if (this.closed) return Promise.reject(new Error('the pool is closed'))
    slot.connecting ??= (async () => {
      const client = this.options.newClient()
      const drop = () => this.discard(slot, client)
      // a broken connection fails what is in flight on it (pg reports that to each query); the
      // listener keeps the error from crashing the process, and the slot opens a new one next time
      client.on('error', drop)
      client.on('end', drop)
      try {
        await client.connect()
      } catch (error) {
        drop()
        throw error
      }
      slot.client = client
      return client
    })().finally(() => {
      slot.connecting = undefined
    })
    return slot.connecting
  }

  private discard(slot: Slot, client: pg.Client): void {
    if (slot.client === client) slot.client = undefined
    client.end().catch(() => {})
  }
}
