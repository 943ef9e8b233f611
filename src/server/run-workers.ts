/**
 * `data-api serve --workers N`: the primary process of a node:cluster. It forks N whole servers that
 * share one listening port, waits until every one is ready, replaces one that dies, and stops them
 * all on SIGINT/SIGTERM. The primary opens no database and serves nothing itself.
 *
 * The primary relays questions to every worker (cluster-fan-out.ts): /metrics gathers every worker's
 * counters, and a settings change is applied by every worker before the request that made it answers.
 * Otherwise workers agree through the database, not through the primary: settings, signing keys and
 * rate limits are rows, schema and config reloads are NOTIFYs every worker listens to. That is also what
 * lets several hosts serve one database behind a load balancer, so a worker is no different from
 * another host.
 */
import cluster, { type Worker } from 'node:cluster'
import { createFanOutRelay } from './cluster-fan-out.js'
import { isMessageOfType } from './cluster-message.js'

/** What a worker sends the primary once it listens. */
export type WorkerReady = Readonly<{ type: 'data-api:ready'; url: string }>

export const isWorkerReady = isMessageOfType<WorkerReady>('data-api:ready')

export type PrimaryLog = Readonly<{
  info: (message: string) => void
  error: (message: string) => void
}>

export type PrimaryOptions = Readonly<{
  workers: number
  /** variables added to each worker's environment (the CLI's --port and --host) */
  env: Readonly<Record<string, string>>
  log: PrimaryLog
  /** how long stopping workers get before SIGKILL */
  stopTimeoutMs?: number
  /** first delay before replacing a worker that died; doubles while replacements keep dying */
  restartDelayMs?: number
  /** called once, when every worker listens */
  onReady?: (url: string) => void
}>

/** Resolves with the exit code the primary should end with, once every worker has exited. */
export function runPrimary(options: PrimaryOptions): Promise<number> {
  const { workers: count, env, log } = options
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000
  const firstDelayMs = options.restartDelayMs ?? 1000
  // our own bookkeeping: cluster.workers drops a worker only once both its process and its IPC
  // channel are gone, which may be after its 'exit'
  const live = new Set<Worker>()
  const relay = createFanOutRelay()
  const ready = new Set<Worker>()
  let started = false
  let stopping: { code: number; killTimer: NodeJS.Timeout } | undefined
  let restartDelayMs = firstDelayMs
  let settle: (code: number) => void = () => undefined
  const done = new Promise<number>((resolve) => (settle = resolve))

  const stop = (code: number): void => {
    if (stopping) return
    const killTimer = setTimeout(() => {
      for (const worker of live) worker.process.kill('SIGKILL')
    }, stopTimeoutMs)
    stopping = { code, killTimer }
    for (const worker of live) worker.process.kill('SIGTERM')
    if (live.size === 0) finish()
  }

  const finish = (): void => {
    if (!stopping) return
    clearTimeout(stopping.killTimer)
    settle(stopping.code)
  }

  const fork = (): void => {
    const worker = cluster.fork(env)
    live.add(worker)
    worker.on('message', (message: unknown) => {
      if (relay.onMessage(worker, message, [...ready])) return
      if (!isWorkerReady(message) || stopping) return
      ready.add(worker)
      if (started) {
        restartDelayMs = firstDelayMs
        log.info(`worker ${worker.process.pid} is serving in place of the one that exited`)
      } else if (ready.size === count) {
        started = true
        log.info(`data-api serving at ${message.url} with ${count} workers (pids ${[...ready].map((w) => w.process.pid).join(', ')})`)
        options.onReady?.(message.url)
      }
    })
    worker.once('exit', (code, signal) => {
      live.delete(worker)
      const wasReady = ready.delete(worker)
      if (stopping) {
        if (live.size === 0) finish()
        return
      }
      const how = signal ? `signal ${signal}` : `code ${code}`
      if (!started) {
        // a worker that cannot start (bad configuration, database unreachable) has printed why;
        // its siblings would fail the same way
        log.error(`worker ${worker.process.pid} exited during start-up (${how}); stopping`)
        stop(1)
        return
      }
      log.error(`worker ${worker.process.pid} exited (${how}); starting another in ${restartDelayMs} ms`)
      const delay = restartDelayMs
      // a replacement that dies before it is ready waits longer next time, so a crash loop stays slow
      if (!wasReady) restartDelayMs = Math.min(restartDelayMs * 2, 30_000)
      setTimeout(() => {
        if (!stopping) fork()
      }, delay)
    })
  }

  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop(0))
  for (let i = 0; i < count; i++) fork()
  return done
}
