import { describe, expect, it } from 'vitest'
import { asCastType, castTo, compile, ident, integerLiteral, join, param, qi, quoteIdent, sql } from './fragment.js'

describe('sql fragments', () => {
  it('turns interpolated values into numbered parameters', () => {
    const age = '30'
    expect(compile(sql`select * from ${ident('people')} where ${ident('age')} > ${age}`)).toEqual({
      text: 'select * from "people" where "age" > $1',
      values: ['30'],
    })
  })

  it('numbers parameters of nested fragments in order', () => {
    const inner = sql`${ident('a')} = ${1}`
    const q = sql`select ${2} where ${inner} and ${join([sql`${3}`, sql`${4}`], sql` or `)}`
    expect(compile(q)).toEqual({ text: 'select $1 where "a" = $2 and $3 or $4', values: [2, 1, 3, 4] })
  })

  it('quotes identifiers like PostgREST: doubles quotes and cuts at NUL', () => {
    expect(quoteIdent('a"b')).toBe('"a""b"')
    expect(quoteIdent('x\0; drop table y')).toBe('"x"')
    expect(quoteIdent('with.dot')).toBe('"with.dot"')
    expect(compile(qi({ schema: 'api', name: 'my table' })).text).toBe('"api"."my table"')
    expect(compile(qi({ schema: '', name: 't' })).text).toBe('"t"')
  })

  it('accepts only plain cast types', () => {
    expect(asCastType('text')).toBe('text')
    expect(asCastType(' character varying ')).toBe('character varying')
    expect(asCastType('int); drop table x; --')).toBeUndefined()
    expect(asCastType('int[]')).toBeUndefined()
    for (const bad of ['text$1', 'text $$', '$1', 'int  4', '4int', 'in\nt', 'in-t', 'x'.repeat(200)]) expect(asCastType(bad)).toBeUndefined()
    expect(asCastType('double precision')).toBe('double precision')
    expect(compile(castTo(ident('a'), asCastType('int4')!)).text).toBe('CAST("a" AS int4)')
  })

  it('types a parameter only with our own type names', () => {
    expect(compile(sql`limit ${param(5, 'bigint')}`)).toEqual({ text: 'limit $1::bigint', values: [5] })
  })

  it('writes only non-negative safe integers as literals', () => {
    expect(compile(sql`LIMIT ${integerLiteral(20)} OFFSET ${integerLiteral(0)}`)).toEqual({ text: 'LIMIT 20 OFFSET 0', values: [] })
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) expect(() => integerLiteral(bad)).toThrow()
  })
})
