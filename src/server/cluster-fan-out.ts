/**
 * Asking every worker of `serve --workers N` something and gathering the answers. A worker asks the
 * primary; the primary asks every worker (or every other worker) and answers with what they said. A
 * worker that does not answer in time is left out rather than holding the asker up.
 *
 * Two things use it: /metrics (each worker counts only its own requests, so a scrape gathers every
 * worker's families) and settings changes (the worker that stored a change makes every other worker
 * apply it before it answers, so the very next request sees it whichever worker takes it).
 */
import type { Worker } from 'node:cluster'
import { isMessageOfType } from './cluster-message.js'

type Ask = { type: 'data-api:ask'; id: string; kind: string; payload: unknown; others: boolean }
type Collect = { type: 'data-api:collect'; id: string; kind: string; payload: unknown }
type Reply = { type: 'data-api:reply'; id: string; value: unknown }
type Answer = { type: 'data-api:answer'; id: string; replies: WorkerReply[] }

export type WorkerReply = Readonly<{ worker: number; value: unknown }>

const isAsk = isMessageOfType<Ask>('data-api:ask')
const isCollect = isMessageOfType<Collect>('data-api:collect')
const isReply = isMessageOfType<Reply>('data-api:reply')
const isAnswer = isMessageOfType<Answer>('data-api:answer')

export const COLLECT_TIMEOUT_MS = 1000

// --- in a worker ------------------------------------------------------------------------------------

export type FanOutHandlers = Readonly<Record<string, (payload: unknown) => unknown>>

/** Answers the primary's questions, by kind. */
export function answerFanOuts(handlers: FanOutHandlers): void {
  process.on('message', (message: unknown) => {
    if (!isCollect(message)) return
    const handler = handlers[message.kind]
    Promise.resolve(handler ? handler(message.payload) : undefined).then(
      (value) => process.send?.({ type: 'data-api:reply', id: message.id, value } satisfies Reply),
      () => process.send?.({ type: 'data-api:reply', id: message.id, value: undefined } satisfies Reply),
    )
  })
}

let sequence = 0

/**
 * What every worker (`others`: every other worker) answers, through the primary; undefined when
 * this process is not a worker or the primary does not answer.
 */
export function fanOut(kind: string, payload: unknown, options: Readonly<{ others?: boolean }> = {}): Promise<WorkerReply[] | undefined> {
  const id = `${process.pid}:${++sequence}`
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      if (!isAnswer(message) || message.id !== id) return
      done(message.replies)
    }
    const timer = setTimeout(() => done(undefined), COLLECT_TIMEOUT_MS * 2)
    const done = (replies: WorkerReply[] | undefined) => {
      clearTimeout(timer)
      process.off('message', onMessage)
      resolve(replies)
    }
    process.on('message', onMessage)
    const ask: Ask = { type: 'data-api:ask', id, kind, payload, others: options.others === true }
    if (!process.send?.(ask)) done(undefined)
  })
}

// --- in the primary -----------------------------------------------------------------------------------

export type FanOutRelay = Readonly<{
  /** Routes a worker's message; true when it was part of a fan-out. */
  onMessage: (from: Worker, message: unknown, workers: readonly Worker[]) => boolean
}>

export function createFanOutRelay(): FanOutRelay {
  const pending = new Map<string, { expected: Set<Worker>; replies: Map<Worker, unknown>; finish: () => void }>()
  return {
    onMessage(from, message, workers) {
      if (isReply(message)) {
        const p = pending.get(message.id)
        if (p?.expected.has(from)) {
          p.replies.set(from, message.value)
          if (p.replies.size === p.expected.size) p.finish()
        }
        return true
      }
      if (!isAsk(message)) return false
      const { id } = message
      const expected = new Set(workers.filter((w) => w.isConnected() && !(message.others && w === from)))
      const replies = new Map<Worker, unknown>()
      const finish = () => {
        clearTimeout(timer)
        pending.delete(id)
        const answer: Answer = {
          type: 'data-api:answer',
          id,
          replies: [...replies].sort(([a], [b]) => a.id - b.id).map(([worker, value]) => ({ worker: worker.id, value })),
        }
        if (from.isConnected()) from.send(answer)
      }
      const timer = setTimeout(finish, COLLECT_TIMEOUT_MS)
      pending.set(id, { expected, replies, finish })
      const collect: Collect = { type: 'data-api:collect', id, kind: message.kind, payload: message.payload }
      for (const worker of expected) worker.send(collect)
      if (expected.size === 0) finish()
      return true
    },
  }
}
