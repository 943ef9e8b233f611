/**
 * A write load through the REST API: `clients` loops, each POSTing batches of rows with unique ids
 * and a checksum of each row's payload, one request at a time, until stopped. A batch is acknowledged
 * when the server answered 2xx; only those must be in the database afterwards. A failed batch is never
 * resent under the same id (it may have committed before the connection broke), so an id can be
 * checked for exactly-once.
 */
import { createHash, randomBytes } from 'node:crypto'

export const WRITES_TABLE = 'fault_writes'

/** The table the load writes to: no unique constraint on the batch, so a duplicate would show. */
export const WRITES_TABLE_SQL = `
  create table ${WRITES_TABLE} (
    seq bigint generated always as identity primary key,
    batch_id text not null,
    batch_size int not null,
    position int not null,
    payload text not null,
    checksum text not null
  );
  grant usage on schema public to anonymous;
  grant select, insert on ${WRITES_TABLE} to anonymous;`

export type Attempt = Readonly<{ batchId: string; startedAt: number; endedAt: number; status: number | 'network' }>

export type WriteLoad = Readonly<{
  /** every batch sent, in the order their answers came */
  attempts: readonly Attempt[]
  acknowledged: () => Attempt[]
  /** the first answer's body for each status that is not 2xx, to say what went wrong */
  bodies: ReadonlyMap<string, string>
  stop: () => Promise<void>
}>

export type WriteLoadOptions = Readonly<{
  /** `.../rest/v1` of the server */
  base: string
  clients: number
  batchSize: number
  /** the largest payload in characters; sizes vary up to it, past the TOAST threshold */
  maxPayload: number
  /** pause after a failed request, so an outage is not a busy loop */
  backoffMs: number
  /** each request gives up after this long */
  requestTimeoutMs: number
}>

export function checksum(payload: string): string {
  return createHash('md5').update(payload).digest('hex')
}

function row(batchId: string, batchSize: number, position: number, maxPayload: number) {
  const length = 1 + Math.floor(Math.random() * maxPayload)
  const payload = randomBytes(Math.ceil(length / 2)).toString('hex').slice(0, length)
  return { batch_id: batchId, batch_size: batchSize, position, payload, checksum: checksum(payload) }
}

export function startWriteLoad(options: WriteLoadOptions): WriteLoad {
  const attempts: Attempt[] = []
  const bodies = new Map<string, string>()
  let stopped = false
  let counter = 0
  const client = async (n: number) => {
    while (!stopped) {
      const batchId = `c${n}-${counter++}-${randomBytes(4).toString('hex')}`
      const rows = Array.from({ length: options.batchSize }, (_, i) => row(batchId, options.batchSize, i, options.maxPayload))
      const startedAt = performance.now()
      let status: number | 'network'
      try {
        const res = await fetch(`${options.base}/${WRITES_TABLE}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Prefer: 'return=minimal' },
          body: JSON.stringify(rows),
          signal: AbortSignal.timeout(options.requestTimeoutMs),
        })
        const text = await res.text()
        status = res.status
        if (status >= 300 && !bodies.has(String(status))) bodies.set(String(status), text.slice(0, 300))
      } catch {
        status = 'network'
      }
      attempts.push({ batchId, startedAt, endedAt: performance.now(), status })
      if (status === 'network' || status >= 300) await new Promise((r) => setTimeout(r, options.backoffMs))
    }
  }
  const running = Promise.all(Array.from({ length: options.clients }, (_, n) => client(n)))
  return {
    attempts,
    bodies,
    acknowledged: () => attempts.filter((a) => typeof a.status === 'number' && a.status >= 200 && a.status < 300),
    stop: async () => {
      stopped = true
      await running
    },
  }
}

/** Counts of each answer: `{ '201': 812, '503': 14, network: 3 }` */
export function statusCounts(attempts: readonly Attempt[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const a of attempts) counts[String(a.status)] = (counts[String(a.status)] ?? 0) + 1
  return counts
}

/** Waits until `n` more batches are acknowledged than now (bounded by timeoutMs). */
export async function waitForAcknowledged(load: WriteLoad, n: number, timeoutMs: number): Promise<void> {
  const target = load.acknowledged().length + n
  const deadline = Date.now() + timeoutMs
  while (load.acknowledged().length < target) {
    if (Date.now() > deadline) throw new Error(`fewer than ${n} writes acknowledged within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
