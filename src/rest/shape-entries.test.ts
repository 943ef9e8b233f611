import { describe, expect, it } from 'vitest'
import type { SchemaCache } from '../schema-cache/types.js'
import { shapeHeader, ShapeEntries } from './shape-entries.js'
import type { RawRequest } from './api-request/parse-api-request.js'

describe('ShapeEntries', () => {
  const first = {} as SchemaCache
  const second = {} as SchemaCache

  it('keeps entries, null ones too, for one schema cache and forgets them all when it changes', () => {
    const entries = new ShapeEntries<string>()
    expect(entries.get(first, 'a')).toBeUndefined()
    entries.set('a', 'plan a')
    entries.set('b', null)
    expect([entries.get(first, 'a'), entries.get(first, 'b')]).toEqual(['plan a', null])
    expect(entries.get(second, 'a')).toBeUndefined()
    expect(entries.get(second, 'b')).toBeUndefined()
  })

  it('drops the oldest entry beyond 1000', () => {
    const entries = new ShapeEntries<number>()
    entries.get(first, 'x')
    for (let i = 0; i <= 1000; i++) entries.set(`k${i}`, i)
    expect(entries.get(first, 'k0')).toBeUndefined()
    expect([entries.get(first, 'k1'), entries.get(first, 'k1000')]).toEqual([1, 1000])
  })
})

describe('shapeHeader', () => {
  it('joins a repeated header and reads a missing one as empty', () => {
    const raw = { headers: { prefer: ['return=representation', 'count=exact'] } } as unknown as RawRequest
    expect(shapeHeader(raw, 'prefer')).toBe('return=representation, count=exact')
    expect(shapeHeader(raw, 'accept')).toBe('')
  })
})
