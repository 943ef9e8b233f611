import { describe, expect, it } from 'vitest'
import { ClientGone } from './client-gone.js'

describe('ClientGone', () => {
  it('calls the listeners still registered once, on the first abort only', () => {
    const gone = new ClientGone()
    const calls: string[] = []
    const a = () => calls.push('a')
    const b = () => calls.push('b')
    gone.addEventListener('abort', a)
    gone.addEventListener('abort', b, { once: true })
    gone.removeEventListener('abort', a)
    expect(gone.aborted).toBe(false)
    gone.abort()
    gone.abort()
    expect(gone.aborted).toBe(true)
    expect(calls).toEqual(['b'])
    gone.addEventListener('abort', a)
    gone.abort()
    expect(calls).toEqual(['b'])
  })
})
