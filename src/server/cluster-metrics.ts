/**
 * /metrics under `serve --workers N`. A scrape reaches one worker, but each worker counts only its
 * own requests, so the worker asks the primary, the primary asks every worker for its families, and
 * the answer holds all of them, each sample labelled with its worker's id. A worker that does not
 * answer in time is left out of that scrape rather than holding it up.
 */
import type { Worker } from 'node:cluster'
import { isMessageOfType } from './cluster-message.js'
import { mergeFamilies, type MetricFamily } from './metrics.js'

type Request = { type: 'data-api:metrics-request'; id: string }
type Collect = { type: 'data-api:metrics-collect'; id: string }
type Snapshot = { type: 'data-api:metrics-snapshot'; id: string; families: MetricFamily[] }
type Response = { type: 'data-api:metrics-response'; id: string; families: MetricFamily[] }

const isRequest = isMessageOfType<Request>('data-api:metrics-request')
const isCollect = isMessageOfType<Collect>('data-api:metrics-collect')
const isSnapshot = isMessageOfType<Snapshot>('data-api:metrics-snapshot')
const isResponse = isMessageOfType<Response>('data-api:metrics-response')

export const COLLECT_TIMEOUT_MS = 1000

// --- in a worker ------------------------------------------------------------------------------------

/** Answers the primary's requests for this worker's families. */
export function answerMetricsCollects(collect: () => MetricFamily[]): void {
  process.on('message', (message: unknown) => {
    if (!isCollect(message)) return
    const snapshot: Snapshot = { type: 'data-api:metrics-snapshot', id: message.id, families: collect() }
    process.send?.(snapshot)
  })
}

let sequence = 0

/** Every worker's families, through the primary; this worker's own alone if the primary does not answer. */
export function gatherClusterMetrics(own: MetricFamily[], workerId: number): Promise<MetricFamily[]> {
  const id = `${process.pid}:${++sequence}`
  const alone = () => mergeFamilies([{ labels: { worker: String(workerId) }, families: own }])
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      if (!isResponse(message) || message.id !== id) return
      done(message.families)
    }
    const timer = setTimeout(() => done(alone()), COLLECT_TIMEOUT_MS * 2)
    const done = (families: MetricFamily[]) => {
      clearTimeout(timer)
      process.off('message', onMessage)
      resolve(families)
    }
    process.on('message', onMessage)
    const request: Request = { type: 'data-api:metrics-request', id }
    if (!process.send?.(request)) done(alone())
  })
}

// --- in the primary -----------------------------------------------------------------------------------

export type MetricsRelay = Readonly<{
  /** Routes a worker's message; true when it was about metrics. */
  onMessage: (from: Worker, message: unknown, workers: readonly Worker[]) => boolean
}>

export function createMetricsRelay(): MetricsRelay {
  const pending = new Map<string, { expected: Set<Worker>; snapshots: Map<Worker, MetricFamily[]>; finish: () => void }>()
  return {
    onMessage(from, message, workers) {
      if (isSnapshot(message)) {
        const p = pending.get(message.id)
        if (p?.expected.has(from)) {
          p.snapshots.set(from, message.families)
          if (p.snapshots.size === p.expected.size) p.finish()
        }
        return true
      }
      if (!isRequest(message)) return false
      const { id } = message
      const expected = new Set(workers.filter((w) => w.isConnected()))
      const snapshots = new Map<Worker, MetricFamily[]>()
      const finish = () => {
        clearTimeout(timer)
        pending.delete(id)
        const families = mergeFamilies(
          [...snapshots].sort(([a], [b]) => a.id - b.id).map(([worker, f]) => ({ labels: { worker: String(worker.id) }, families: f })),
        )
        const response: Response = { type: 'data-api:metrics-response', id, families }
        if (from.isConnected()) from.send(response)
      }
      const timer = setTimeout(finish, COLLECT_TIMEOUT_MS)
      pending.set(id, { expected, snapshots, finish })
      const collect: Collect = { type: 'data-api:metrics-collect', id }
      for (const worker of expected) worker.send(collect)
      if (expected.size === 0) finish()
      return true
    },
  }
}
