import { describe, expect, it } from 'vitest'
import { TARGETS } from './capture.js'
import { roundOrder } from './rounds.js'

describe('roundOrder', () => {
  it('rotates the targets by one each round, so none always runs first', () => {
    expect(roundOrder(1, ['a', 'b', 'c'] as never)).toEqual(['a', 'b', 'c'])
    expect(roundOrder(2, ['a', 'b', 'c'] as never)).toEqual(['b', 'c', 'a'])
    expect(roundOrder(4, ['a', 'b', 'c'] as never)).toEqual(['a', 'b', 'c'])
    expect(new Set(roundOrder(3))).toEqual(new Set(TARGETS))
  })
})
