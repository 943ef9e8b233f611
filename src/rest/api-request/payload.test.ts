import { describe, expect, it } from 'vitest'
import { ApiError } from '../../errors/api-error.js'
import { parsePayload } from './payload.js'

const parse = (type: string | undefined, body: string, validateKeys = true) => parsePayload(type, Buffer.from(body), { validateKeys })

describe('parsePayload', () => {
  it.each([
    ['{"a":1,"b":"x"}', { rows: [{ a: 1, b: 'x' }], isArray: false, keys: ['a', 'b'] }],
    ['[{"a":1},{"a":2}]', { rows: [{ a: 1 }, { a: 2 }], isArray: true, keys: ['a'] }],
    ['[]', { rows: [], isArray: true, keys: [] }],
    ['5', { rows: [], isArray: true, keys: [] }],
  ])('reads JSON %s', (body, want) => {
    expect(parse('application/json', body)).toEqual(want)
  })

  it.each([
    ['', 'Empty or invalid json'],
    ['{', 'Empty or invalid json'],
    ['[{"a":1},{"b":2}]', 'All object keys must match'],
    ['[{"a":1},2]', 'All object keys must match'],
  ])('refuses JSON %j with PGRST102', (body, message) => {
    expect(() => parse(undefined, body)).toThrow(expect.objectContaining({ code: 'PGRST102', status: 400, message }))
  })

  it('accepts mixed key sets when columns= says which keys count', () => {
    expect(parse('application/json', '[{"a":1},{"b":2}]', false).rows).toEqual([{ a: 1 }, { b: 2 }])
  })

  it('reads CSV with quotes, NULL and CRLF', () => {
    expect(parse('text/csv', 'id,name,note\r\n1,"a, ""b""",NULL\r\n2,plain,"multi\nline"\n')).toEqual({
      rows: [
        { id: '1', name: 'a, "b"', note: null },
        { id: '2', name: 'plain', note: 'multi\nline' },
      ],
      isArray: true,
      keys: ['id', 'name', 'note'],
    })
  })

  it('refuses ragged CSV', () => {
    expect(() => parse('text/csv', 'a,b\n1\n')).toThrow(expect.objectContaining({ message: 'All lines must have same number of fields' }))
  })

  it('reads urlencoded forms as one object of strings', () => {
    expect(parse('application/x-www-form-urlencoded; charset=utf-8', 'name=Ann+Lee&age=30')).toEqual({
      rows: [{ name: 'Ann Lee', age: '30' }],
      isArray: false,
      keys: ['name', 'age'],
    })
  })

  it('refuses other content types', () => {
    const err = (() => {
      try {
        parse('text/plain', 'hi')
      } catch (e) {
        return e
      }
    })() as ApiError
    expect(err.message).toBe('Content-Type not acceptable: text/plain')
  })
})
