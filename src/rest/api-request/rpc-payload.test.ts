import { describe, expect, it } from 'vitest'
import { parseRpcPayload } from './rpc-payload.js'

describe('parseRpcPayload', () => {
  it('reads a JSON object, the first element of an array, and an empty body as {}', () => {
    expect(parseRpcPayload('application/json', Buffer.from('{"a":1}')).args).toEqual({ a: 1 })
    expect(parseRpcPayload(undefined, Buffer.from('[{"a":1},{"a":2}]')).args).toEqual({ a: 1 })
    expect(parseRpcPayload('application/json; charset=utf-8', Buffer.from('  ')).args).toEqual({})
    expect(parseRpcPayload('application/json', undefined).args).toEqual({})
    expect(parseRpcPayload('application/json', Buffer.from('5')).args).toEqual({})
  })

  it('keeps the raw body for a single unnamed parameter', () => {
    const payload = parseRpcPayload('application/json', Buffer.from('[1,2]'))
    expect(payload.raw.toString()).toBe('[1,2]')
    expect(payload.bodyKind).toBe('json')
    expect(parseRpcPayload('text/plain', Buffer.from('hi')).bodyKind).toBe('text')
    expect(parseRpcPayload('text/xml', Buffer.from('<a/>')).bodyKind).toBe('xml')
    expect(parseRpcPayload('application/octet-stream', Buffer.from([0, 1])).bodyKind).toBe('octet')
  })

  it('reads an urlencoded form, a repeated key as a list', () => {
    expect(parseRpcPayload('application/x-www-form-urlencoded', Buffer.from('a=1&b=x+y&a=2')).args).toEqual({ a: ['1', '2'], b: 'x y' })
  })

  it('reads the first row of CSV', () => {
    expect(parseRpcPayload('text/csv', Buffer.from('a,b\n1,x\n2,y')).args).toEqual({ a: '1', b: 'x' })
  })

  it('rejects invalid JSON and unknown media types with PGRST102', () => {
    expect(() => parseRpcPayload('application/json', Buffer.from('{'))).toThrow('Empty or invalid json')
    expect(() => parseRpcPayload('image/png', Buffer.from(''))).toThrow('Content-Type not acceptable: image/png')
  })
})
