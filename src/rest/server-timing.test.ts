import { afterEach, describe, expect, it, vi } from 'vitest'
import { ServerTiming } from './server-timing.js'

describe('ServerTiming', () => {
  afterEach(() => vi.restoreAllMocks())

  it('gives each stage the time since the previous mark, in ms with one decimal', () => {
    const clock = [100, 100.26, 100.26, 103.5, 104.01]
    vi.spyOn(performance, 'now').mockImplementation(() => clock.shift() as number)
    const timing = new ServerTiming()
    timing.mark('jwt')
    timing.mark('parse')
    timing.mark('transaction')
    timing.mark('response')
    expect(timing.header()).toBe('jwt;dur=0.3, parse;dur=0.0, transaction;dur=3.2, response;dur=0.5')
  })
})
