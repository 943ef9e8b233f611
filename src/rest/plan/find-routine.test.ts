import { describe, expect, it } from 'vitest'
import { isApiError } from '../../errors/api-error.js'
import type { Routine, RoutineParam, SchemaCache } from '../../schema-cache/types.js'
import { findRoutine, type RoutineLookup } from './find-routine.js'

const p = (name: string, type = 'integer', required = true, variadic = false): RoutineParam => ({ name, type, castType: type, required, variadic })
const fn = (name: string, params: RoutineParam[], schema = 'api'): Routine => ({
  schema,
  name,
  description: null,
  params,
  returns: { kind: 'scalar', type: 'text', setOf: false },
  volatility: 'stable',
  returnsSingle: true,
  hoistedSettings: [],
})

function cacheOf(...routines: Routine[]): SchemaCache {
  const map = new Map<string, Routine[]>()
  for (const r of routines) map.set(`${r.schema}.${r.name}`, [...(map.get(`${r.schema}.${r.name}`) ?? []), r])
  return { schemas: ['api'], tables: new Map(), relationships: new Map(), routines: map }
}

const lookup = (name: string, argKeys: string[], extra: Partial<RoutineLookup> = {}): RoutineLookup => ({
  schema: 'api',
  name,
  argKeys,
  isPost: false,
  bodyKind: 'other',
  ...extra,
})

function errorOf(run: () => unknown): { status: number; code: string; message: string; details: unknown; hint: unknown } {
  try {
    run()
  } catch (err) {
    if (isApiError(err)) return { status: err.status, code: err.code, message: err.message, details: err.details, hint: err.hint }
    throw err
  }
  throw new Error('expected an error')
}

describe('findRoutine', () => {
  const none = fn('f', [])
  const one = fn('f', [p('a')])
  const two = fn('f', [p('a'), p('b', 'text')])
  const optional = fn('g', [p('x', 'integer', false), p('y', 'integer', false)])
  const mixed = fn('h', [p('a'), p('b', 'integer', false)])
  const cache = cacheOf(none, one, two, optional, mixed)

  it('matches required parameters exactly', () => {
    expect(findRoutine(cache, lookup('f', []))).toBe(none)
    expect(findRoutine(cache, lookup('f', ['a']))).toBe(one)
    expect(findRoutine(cache, lookup('f', ['b', 'a']))).toBe(two)
  })

  it('accepts any subset of optional parameters', () => {
    expect(findRoutine(cache, lookup('g', []))).toBe(optional)
    expect(findRoutine(cache, lookup('g', ['y']))).toBe(optional)
    expect(errorOf(() => findRoutine(cache, lookup('g', ['z']))).code).toBe('PGRST202')
  })

  it('needs every required parameter and allows optional ones beside them', () => {
    expect(findRoutine(cache, lookup('h', ['a']))).toBe(mixed)
    expect(findRoutine(cache, lookup('h', ['a', 'b']))).toBe(mixed)
    expect(errorOf(() => findRoutine(cache, lookup('h', ['b']))).code).toBe('PGRST202')
  })

  it('falls back on POST to a single unnamed parameter of the body type', () => {
    const json = fn('raw', [p('', 'json')])
    const text = fn('raw', [p('', 'text')])
    const c = cacheOf(json, text)
    expect(findRoutine(c, lookup('raw', ['any'], { isPost: true, bodyKind: 'json' }))).toBe(json)
    expect(findRoutine(c, lookup('raw', [], { isPost: true, bodyKind: 'text' }))).toBe(text)
    expect(errorOf(() => findRoutine(c, lookup('raw', [], { isPost: false, bodyKind: 'text' }))).code).toBe('PGRST202')
    // a named single json parameter is not a fallback
    const named = cacheOf(fn('n', [p('doc', 'json')]))
    expect(errorOf(() => findRoutine(named, lookup('n', ['x'], { isPost: true, bodyKind: 'json' }))).code).toBe('PGRST202')
  })

  it('does not call a function without parameters with a raw body', () => {
    const e = errorOf(() => findRoutine(cache, lookup('f', [], { isPost: true, bodyKind: 'octet' })))
    expect(e).toEqual({
      status: 404,
      code: 'PGRST202',
      message: 'Could not find the function api.f in the schema cache',
      details: 'Searched for the function api.f with a single unnamed bytea parameter, but no matches were found in the schema cache.',
      hint: null,
    })
  })

  it('reports overloads with the same argument names as ambiguous (300 PGRST203)', () => {
    const c = cacheOf(fn('amb', [p('a')]), fn('amb', [p('a', 'text')]))
    expect(errorOf(() => findRoutine(c, lookup('amb', ['a'])))).toEqual({
      status: 300,
      code: 'PGRST203',
      message: 'Could not choose the best candidate function between: api.amb(a => integer), api.amb(a => text)',
      details: null,
      hint: 'Try renaming the parameters or the function itself in the database so function overloading can be resolved',
    })
  })

  it('hints the closest function name, or the closest parameter list', () => {
    const c = cacheOf(
      fn('test', [p('val'), p('param'), p('name')]),
      fn('test', [p('id'), p('attr')]),
      fn('another', []),
      fn('other', [], 'private'),
    )
    const hint = (name: string, keys: string[]) => errorOf(() => findRoutine(c, lookup(name, keys))).hint
    expect(hint('testt', ['val', 'param', 'name'])).toBe('Perhaps you meant to call the function api.test')
    expect(hint('other', [])).toBe('Perhaps you meant to call the function api.another')
    expect(hint('noclosealternative', [])).toBeNull()
    expect(hint('test', ['vall', 'pqaram', 'nam'])).toBe('Perhaps you meant to call the function api.test(name, param, val)')
    expect(hint('test', ['val', 'param'])).toBe('Perhaps you meant to call the function api.test(name, param, val)')
    expect(hint('test', ['id', 'attrs'])).toBe('Perhaps you meant to call the function api.test(attr, id)')
    expect(hint('test', ['id'])).toBe('Perhaps you meant to call the function api.test(attr, id)')
    expect(hint('test', ['noclosealternative'])).toBeNull()
  })

  it('words message and details after the argument names, sorted', () => {
    const e = errorOf(() => findRoutine(cache, lookup('f', ['z', 'c'], { isPost: true, bodyKind: 'json' })))
    expect(e.message).toBe('Could not find the function api.f(c, z) in the schema cache')
    expect(e.details).toBe(
      'Searched for the function api.f with parameters c, z or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.',
    )
    const one = errorOf(() => findRoutine(cache, lookup('f', ['z'])))
    expect(one.details).toBe('Searched for the function api.f with parameter z, but no matches were found in the schema cache.')
  })
})
