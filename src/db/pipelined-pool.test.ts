import { EventEmitter } from 'node:events'
import type pg from 'pg'
import { describe, expect, it } from 'vitest'
import { PipelinedPool } from './pipelined-pool.js'

/** A stand-in for pg.Client: connects (or fails to), ends, and can break. */
class FakeClient extends EventEmitter {
  static made: FakeClient[] = []
  ended = false
  constructor(readonly id: number, private readonly fail: boolean) {
    super()
    FakeClient.made.push(this)
  }
  connect(): Promise<void> {
    return this.fail ? Promise.reject(new Error(`refused ${this.id}`)) : Promise.resolve()
  }
  end(): Promise<void> {
    this.ended = true
    return Promise.resolve()
  }
}

function pool(size: number, depth: number, failing: (n: number) => boolean = () => false, cancel?: (client: pg.Client) => Promise<void>) {
  FakeClient.made = []
  let n = 0
  return new PipelinedPool({
    newClient: () => new FakeClient(n, failing(n++)) as unknown as pg.Client,
    size,
    depth,
    connectError: (cause) => new Error(`connection: ${(cause as Error).message}`),
    ...(cancel ? { cancel, recancelMs: 3_600_000 } : {}),
  })
}

/** A batch in flight: resolves when answered. */
function deferred() {
  let answer!: () => void
  const answered = new Promise<void>((resolve) => (answer = resolve))
  return { answered, answer }
}

const idOf = (client: pg.Client) => (client as unknown as FakeClient).id
const tick = () => new Promise((resolve) => setImmediate(resolve))

describe('PipelinedPool', () => {
  it('opens every connection at start, and spreads batches over the least busy ones', async () => {
    const p = pool(3, 10)
    await p.open()
    expect(FakeClient.made.map((c) => c.id)).toEqual([0, 1, 2])
    const held = [deferred(), deferred(), deferred(), deferred()]
    const on: number[] = []
    const sends = held.map((d) => p.pipelined(async (client) => (on.push(idOf(client)), d.answered)))
    await tick()
    expect(on).toEqual([0, 1, 2, 0])
    expect(p.counts()).toEqual({ max: 3, total: 3, idle: 0, waiting: 0 })
    for (const d of held) d.answer()
    await Promise.all(sends)
    expect(p.counts()).toEqual({ max: 3, total: 3, idle: 3, waiting: 0 })
  })

  it('queues batches beyond the depth of every connection, first come first served', async () => {
    const p = pool(1, 2)
    await p.open()
    const held = [deferred(), deferred(), deferred(), deferred()]
    const order: number[] = []
    const sends = held.map((d, i) => p.pipelined(async () => (order.push(i), d.answered)))
    await tick()
    expect(order).toEqual([0, 1])
    expect(p.counts().waiting).toBe(2)
    held[1]!.answer()
    await tick()
    expect(order).toEqual([0, 1, 2])
    held[0]!.answer()
    held[2]!.answer()
    held[3]!.answer()
    await Promise.all(sends)
    expect(order).toEqual([0, 1, 2, 3])
  })

  it('gives exclusive users a drained connection and keeps new batches off it meanwhile', async () => {
    const p = pool(2, 10)
    await p.open()
    const first = deferred()
    const events: string[] = []
    const batch = p.pipelined(async (client) => (events.push(`batch on ${idOf(client)}`), first.answered))
    await tick()
    // connection 1 is idle, so the exclusive user takes it at once
    const done = deferred()
    const exclusive = p.exclusive(async (client) => (events.push(`exclusive on ${idOf(client)}`), done.answered))
    await tick()
    const later = p.pipelined(async (client) => events.push(`later batch on ${idOf(client)}`))
    await tick()
    expect(events).toEqual(['batch on 0', 'exclusive on 1', 'later batch on 0'])
    done.answer()
    first.answer()
    await Promise.all([batch, exclusive, later])

    // both busy: the exclusive user waits for its connection to drain
    const a = deferred()
    const b = deferred()
    events.length = 0
    const onBoth = [p.pipelined(async () => a.answered), p.pipelined(async () => b.answered)]
    await tick()
    const waited = p.exclusive(async (client) => events.push(`exclusive on ${idOf(client)}`))
    await tick()
    expect(events).toEqual([])
    a.answer()
    await Promise.all([...onBoth.slice(0, 1), waited])
    expect(events).toEqual(['exclusive on 0'])
    b.answer()
    await Promise.all(onBoth)
  })

  it('drops a connection that fails and opens a new one on its next use', async () => {
    const p = pool(1, 10)
    await p.open()
    const first = FakeClient.made[0]!
    first.emit('error', new Error('terminated'))
    expect(first.ended).toBe(true)
    expect(p.counts().total).toBe(0)
    expect(await p.pipelined(async (client) => idOf(client))).toBe(1)
    let discard!: () => void
    await p.exclusive(async (_client, d) => {
      discard = d
    })
    discard()
    expect(FakeClient.made[1]!.ended).toBe(true)
    expect(await p.exclusive(async (client) => idOf(client))).toBe(2)
  })

  it('reports a failure to connect through connectError, and a failure at start as it is', async () => {
    const failingLater = pool(1, 10, (n) => n > 0)
    await failingLater.open()
    FakeClient.made[0]!.emit('end')
    await expect(failingLater.pipelined(async () => 'sent')).rejects.toThrow('connection: refused 1')
    await expect(failingLater.exclusive(async () => 'used')).rejects.toThrow('connection: refused 2')
    const failingAtStart = pool(2, 10, (n) => n === 1)
    await expect(failingAtStart.open()).rejects.toThrow('refused 1')
    expect(FakeClient.made[0]!.ended).toBe(true)
  })

  it("cancels a connection's statement once every batch in flight on it is abandoned, again as each ends, and keeps new batches off it meanwhile", async () => {
    const cancels: number[] = []
    const handled: (() => void)[] = []
    const p = pool(1, 10, () => false, (client) => {
      cancels.push(idOf(client))
      return new Promise((resolve) => handled.push(resolve))
    })
    await p.open()
    const [a, b] = [deferred(), deferred()]
    const [stopA, stopB] = [new AbortController(), new AbortController()]
    const sends = [p.pipelined(() => a.answered, stopA.signal), p.pipelined(() => b.answered, stopB.signal)]
    await tick()
    stopA.abort()
    expect(cancels).toEqual([]) // b is still wanted, and the backend may be running it
    const events: string[] = []
    const later = p.pipelined(async () => events.push('later sent'))
    await tick()
    expect(events).toEqual([]) // not queued behind an abandoned batch
    stopB.abort()
    expect(cancels).toEqual([0])
    a.answer()
    await sends[0]
    await tick()
    expect(cancels).toEqual([0, 0]) // b runs now: cancelled again
    b.answer()
    await sends[1]
    await tick()
    expect(events).toEqual([]) // a cancel still on its way could reach the next batch
    for (const done of handled) done()
    await later
    expect(events).toEqual(['later sent'])
    expect(cancels).toEqual([0, 0])
  })

  it('does not cancel a batch abandoned while another on its connection is wanted', async () => {
    const cancels: number[] = []
    const p = pool(1, 10, () => false, async (client) => void cancels.push(idOf(client)))
    await p.open()
    const [a, b] = [deferred(), deferred()]
    const stopB = new AbortController()
    const sends = [p.pipelined(() => a.answered), p.pipelined(() => b.answered, stopB.signal)]
    await tick()
    stopB.abort()
    a.answer()
    await sends[0]
    await tick()
    expect(cancels).toEqual([0]) // a answered: only the abandoned b is left
    b.answer()
    await sends[1]
  })

  it('does not send the batch of a request abandoned before it got its connection', async () => {
    const p = pool(1, 10)
    await p.open()
    const stop = new AbortController()
    stop.abort()
    let sent = false
    await expect(p.pipelined(async () => (sent = true), stop.signal)).rejects.toThrow('the request was abandoned before its batch was sent')
    expect(sent).toBe(false)
    expect(p.counts()).toEqual({ max: 1, total: 1, idle: 1, waiting: 0 })
  })
})
