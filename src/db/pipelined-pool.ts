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
}>

/** What a pipelined batch learns about where it went: its connection, and whether it shares it. */
export type Placement = Readonly<{ client: pg.Client; alone: () => boolean }>

export class PipelinedPool {
  private readonly slots: Slot[]
  private readonly waiting: Waiter[] = []
  private closed = false

  constructor(private readonly options: PipelinedPoolOptions) {
    if (options.depth < 1) throw new RangeError('the pipeline depth must be at least 1')
    this.slots = Array.from({ length: options.size }, () => ({ client: undefined, connecting: undefined, inFlight: 0, reserved: false, drained: undefined }))
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
   * Runs `send` (which writes one batch ending with a Sync) on the least busy connection. `alone()`
   * tells whether the batch is the only one in flight on it (then cancelling the connection's
   * statement cancels this batch's and no other's).
   */
  async pipelined<T>(send: (client: pg.Client, placement: Placement) => Promise<T>, signal?: AbortLike): Promise<T> {
    const slot = this.take('pipelined') ?? (await this.queue('pipelined', signal))
    try {
      const client = slot.client ?? (await this.connected(slot))
      return await send(client, { client, alone: () => slot.inFlight === 1 })
    } finally {
      slot.inFlight--
      if (slot.inFlight === 0) slot.drained?.()
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
    for (const slot of this.slots) slot.client = undefined
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
      if (slot.reserved || slot.inFlight >= this.options.depth) continue
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
