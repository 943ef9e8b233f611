import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createProgress } from './progress.js'

describe('createProgress', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })
  const setup = () => {
    const lines: string[] = []
    const progress = createProgress({
      write: (l) => lines.push(l),
      now: () => Date.now(),
    })
    return { lines, progress }
  }
  const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

  it('says nothing about a step that ends within a second', async () => {
    const { lines, progress } = setup()
    const done = progress.step('Opening database "neondb"', async () => {
      await wait(900)
      return 42
    })
    await vi.advanceTimersByTimeAsync(900)
    expect(await done).toBe(42)
    await vi.advanceTimersByTimeAsync(2000)
    expect(lines).toEqual([])
  })

  it('shows a longer step after a second, and how long it took', async () => {
    const { lines, progress } = setup()
    const done = progress.step('Creating the embedded database', () => wait(4200))
    await vi.advanceTimersByTimeAsync(1000)
    expect(lines).toEqual(['Creating the embedded database…'])
    await vi.advanceTimersByTimeAsync(3200)
    await done
    expect(lines).toEqual(['Creating the embedded database…', 'Creating the embedded database: done in 4.2 s'])
  })

  it('indents nested steps, shows only the ones that last, and reports a failure', async () => {
    const { lines, progress } = setup()
    const outer = progress.step('Generate TypeScript types', async () => {
      await progress.step('Opening database "neondb"', () => wait(100))
      await progress.step('Bootstrapping', async () => {
        await wait(1500)
        throw new Error('no')
      })
    })
    const settled = outer.catch((err: Error) => err.message)
    await vi.advanceTimersByTimeAsync(1600)
    expect(await settled).toBe('no')
    expect(lines).toEqual(['Generate TypeScript types…', '  Bootstrapping…', '  Bootstrapping: failed after 1.5 s', 'Generate TypeScript types: failed after 1.6 s'])
  })

  it('is silent once stopped', async () => {
    const { lines, progress } = setup()
    progress.stop()
    const done = progress.step('Opening database "branch"', () => wait(3000))
    await vi.advanceTimersByTimeAsync(3000)
    await done
    expect(lines).toEqual([])
  })
})
