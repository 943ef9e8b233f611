import { describe, expect, it } from 'vitest'
import { fakeSchemaCache } from '../../test/support/fake-schema-cache.js'
import { loadConfig } from '../config/load-config.js'
import { parseApiRequest, type RawRequest } from './api-request/parse-api-request.js'
import { planAction } from './plan/plan-action.js'
import { ReadShapeCache, type PlannedRead } from './read-shape-cache.js'
import { compile } from '../sql/fragment.js'
import { mainStatement } from './sql/main-statement.js'

const config = loadConfig({}, {})
const options = { schemas: ['public'], allowTxOverride: false }

function raw(query: string, headers: Record<string, string> = {}, method = 'GET'): RawRequest {
  return { method, path: '/things', query, headers, body: undefined }
}

function fresh(r: RawRequest, cache = fakeSchemaCache): PlannedRead {
  const request = parseApiRequest(r, options)
  const plan = planAction(request, cache, config, { dbName: 'db' })
  return { request, plan, main: compile(mainStatement(plan)) }
}

describe('ReadShapeCache', () => {
  it('plans a shape once and answers later requests with their own values, as a fresh plan would', () => {
    const shapes = new ReadShapeCache()
    let planned = 0
    const plan = (r: RawRequest) => {
      planned += 1
      return fresh(r)
    }
    for (const query of ['select=id&id=eq.5&name=like.a*', 'select=id&id=eq.6&name=like.*b*', 'select=id&id=eq.%2C%22x&name=like.']) {
      const hit = shapes.lookup(raw(query, { cookie: 'a=1', 'user-agent': 'u' }), fakeSchemaCache, plan)!
      const want = fresh(raw(query, { cookie: 'a=1', 'user-agent': 'u' }))
      expect(hit.main).toEqual(want.main)
      expect(hit.request.query.canonical).toBe(want.request.query.canonical)
      expect(hit.request.headers).toEqual(want.request.headers)
      expect(hit.request.cookies).toEqual({ a: '1' })
    }
    expect(planned).toBe(1)
  })

  it('keeps shapes apart when anything but a simple filter value differs', () => {
    const shapes = new ReadShapeCache()
    let planned = 0
    const plan = (r: RawRequest) => {
      planned += 1
      return fresh(r)
    }
    shapes.lookup(raw('id=eq.1'), fakeSchemaCache, plan)
    shapes.lookup(raw('id=gt.1'), fakeSchemaCache, plan)
    shapes.lookup(raw('id=eq.1&limit=1'), fakeSchemaCache, plan)
    shapes.lookup(raw('id=eq.1', { accept: 'text/csv' }), fakeSchemaCache, plan)
    shapes.lookup(raw('id=in.(1,2)'), fakeSchemaCache, plan)
    shapes.lookup(raw('id=in.(1,3)'), fakeSchemaCache, plan)
    expect(planned).toBe(6)
  })

  it('leaves writes, errors and a changed schema cache to the full path', () => {
    const shapes = new ReadShapeCache()
    expect(shapes.lookup(raw('id=eq.1', {}, 'PATCH'), fakeSchemaCache, fresh)).toBeUndefined()
    expect(shapes.lookup({ ...raw('id=eq.1'), path: '/nope' }, fakeSchemaCache, fresh)).toBeUndefined()
    let planned = 0
    const plan = (r: RawRequest) => {
      planned += 1
      return fresh(r)
    }
    shapes.lookup(raw('id=eq.1'), fakeSchemaCache, plan)
    shapes.lookup(raw('id=eq.1'), { ...fakeSchemaCache }, plan)
    expect(planned).toBe(2)
  })
})
