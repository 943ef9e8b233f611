import { describe, expect, it } from 'vitest'
import { contentTypeOf, parseAccept, toMediaType } from './media-type.js'

describe('parseAccept', () => {
  it('orders by q, keeping the given order among equals, and drops q=0', () => {
    expect(parseAccept('text/csv;q=0.5, application/geo+json, application/json;q=0, */*;q=0.5').map((i) => i.type)).toEqual([
      'application/geo+json',
      'text/csv',
      '*/*',
    ])
  })

  it('takes a missing or empty header as */*', () => {
    expect(parseAccept(undefined)).toEqual([{ raw: '*/*', type: '*/*', params: {}, q: 1 }])
    expect(parseAccept('  ')).toEqual([{ raw: '*/*', type: '*/*', params: {}, q: 1 }])
  })
})

describe('toMediaType', () => {
  const of = (header: string, root = false) => toMediaType(parseAccept(header)[0]!, { root })

  it.each([
    ['application/json', { kind: 'json' }],
    ['APPLICATION/JSON', { kind: 'json' }],
    ['*/*', { kind: 'json' }],
    ['application/vnd.pgrst.array+json;nulls=stripped', { kind: 'arrayStripped' }],
    ['application/vnd.pgrst.object+json', { kind: 'object', stripped: false }],
    ['application/vnd.pgrst.object;nulls=stripped', { kind: 'object', stripped: true }],
    ['text/csv', { kind: 'csv' }],
    ['application/geo+json', { kind: 'geojson' }],
    ['text/html', undefined],
  ])('%s on a relation', (header, expected) => {
    expect(of(header)).toEqual(expected)
  })

  it('offers only the OpenAPI document at the root', () => {
    expect(of('application/json', true)).toEqual({ kind: 'openapi' })
    expect(of('application/geo+json', true)).toBeUndefined()
    expect(of('text/csv', true)).toBeUndefined()
  })
})

describe('contentTypeOf', () => {
  it('names each media type with its charset', () => {
    expect(contentTypeOf({ kind: 'geojson' })).toBe('application/geo+json; charset=utf-8')
    expect(contentTypeOf({ kind: 'csv' })).toBe('text/csv; charset=utf-8')
    expect(contentTypeOf({ kind: 'object', stripped: true })).toBe('application/vnd.pgrst.object+json;nulls=stripped; charset=utf-8')
  })
})
