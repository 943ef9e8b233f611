/**
 * The embedded database's one-at-a-time queue. PGlite runs in this thread and its promises settle as
 * microtasks, so a queue drained in one go holds off every socket for as long as the whole queue
 * takes. Under load that was 30 ms at a time with 50 requests queued: Node accepted one new
 * connection per turn of the event loop, the last of 50 new connections waited over a second for
 * its first answer, and p99 was 20× p50. Each task therefore starts in its own turn (setImmediate
 * runs after the turn's I/O), which costs a turn per task and keeps the order.
 */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

export type SerialQueue = <T>(task: () => Promise<T>) => Promise<T>

/** Runs tasks one at a time, in call order, each in a later turn of the event loop; a failure does not stop the queue. */
export function createSerialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve()
  return <T>(task: () => Promise<T>): Promise<T> => {
    const result = tail.then(nextTurn).then(task)
    tail = result.catch(() => {})
    return result
  }
}
