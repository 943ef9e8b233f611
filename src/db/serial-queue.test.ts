import { describe, expect, it } from 'vitest'
import { createSerialQueue } from './serial-queue.js'

describe('createSerialQueue', () => {
  it('runs tasks one at a time, in call order, and goes on after a failure', async () => {
    const serial = createSerialQueue()
    const log: string[] = []
    let running = 0
    const task = (name: string, fail = false) => async () => {
      running++
      expect(running).toBe(1)
      log.push(`start ${name}`)
      await Promise.resolve()
      log.push(`end ${name}`)
      running--
      if (fail) throw new Error(name)
      return name
    }
    const results = await Promise.allSettled([serial(task('a')), serial(task('b', true)), serial(task('c'))])
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['a', 'b', 'c'])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c'])
  })

  it('lets the event loop run between tasks, so I/O is not held off until the queue drains', async () => {
    const serial = createSerialQueue()
    const order: string[] = []
    const tasks = Array.from({ length: 5 }, (_, i) => serial(async () => void order.push(`task ${i}`)))
    // an I/O-phase callback queued now must not wait for all five tasks
    setImmediate(() => order.push('immediate'))
    await Promise.all(tasks)
    const at = order.indexOf('immediate')
    expect(at).toBeGreaterThan(-1)
    expect(at).toBeLessThan(order.length - 1)
  })
})
