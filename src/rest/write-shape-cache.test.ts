import { describe, expect, it } from 'vitest'
import { fakeSchemaCache } from '../../test/support/fake-schema-cache.js'
import { loadConfig } from '../config/load-config.js'
import { parseApiRequest, type RawRequest } from './api-request/parse-api-request.js'
import { planAction } from './plan/plan-action.js'
import type { PlannedRead } from './read-shape-cache.js'
import { compile } from '../sql/fragment.js'
import { mainStatement } from './sql/main-statement.js'
import { WriteShapeCache } from './write-shape-cache.js'

const config = loadConfig({}, {})
const options = { schemas: ['public'], allowTxOverride: false }

function raw(body: string, headers: Record<string, string> = {}, query = 'select=id,name', method = 'POST'): RawRequest {
  return { method, path: '/things', query, headers: { 'content-type': 'application/json', ...headers }, body: Buffer.from(body) }
}

function fresh(r: RawRequest): PlannedRead {
  const request = parseApiRequest(r, options)
  const plan = planAction(request, fakeSchemaCache, config, { dbName: 'db' })
  return { request, plan, main: compile(mainStatement(plan)) }
}

function counting() {
  const counter = { planned: 0 }
  const plan = (r: RawRequest) => {
    counter.planned += 1
    return fresh(r)
  }
  return { counter, plan }
}

describe('WriteShapeCache', () => {
  it('plans an insert shape once and answers later ones with their own body, as a fresh plan would', () => {
    const shapes = new WriteShapeCache()
    const { counter, plan } = counting()
    for (const body of ['{"id":1,"name":"a"}', '{"id": 2, "name": "b\\"c"}', '{"id":3,"name":null}']) {
      const r = raw(body, { cookie: 'a=1', prefer: 'return=representation' })
      const hit = shapes.lookup(r, fakeSchemaCache, plan)!
      const want = fresh(r)
      expect(hit.main).toEqual(want.main)
      expect(hit.request.payload).toEqual(want.request.payload)
      expect(hit.request.headers).toEqual(want.request.headers)
      expect(hit.request.cookies).toEqual({ a: '1' })
    }
    expect(counter.planned).toBe(1)
  })

  it('keeps shapes apart by body keys and their order, object or array, query and headers', () => {
    const shapes = new WriteShapeCache()
    const { counter, plan } = counting()
    for (const r of [
      raw('{"id":1,"name":"a"}'),
      raw('{"name":"a","id":1}'),
      raw('{"id":1}'),
      raw('[{"id":1,"name":"a"}]'),
      raw('{"id":1,"name":"a"}', {}, 'select=id'),
      raw('{"id":1,"name":"a"}', { prefer: 'return=representation' }),
    ]) {
      expect(shapes.lookup(r, fakeSchemaCache, plan)!.main).toEqual(fresh(r).main)
    }
    expect(counter.planned).toBe(6)
  })

  it('leaves other methods, other bodies, missing=default, columns= and errors to the full path', () => {
    const shapes = new WriteShapeCache()
    const { counter, plan } = counting()
    expect(shapes.lookup(raw('{"id":1}', {}, '', 'PATCH'), fakeSchemaCache, plan)).toBeUndefined()
    expect(shapes.lookup(raw('id=1', { 'content-type': 'application/x-www-form-urlencoded' }), fakeSchemaCache, plan)).toBeUndefined()
    expect(shapes.lookup(raw('{"id":'), fakeSchemaCache, plan)).toBeUndefined()
    expect(shapes.lookup(raw('[{"id":1},{"name":"a"}]'), fakeSchemaCache, plan)).toBeUndefined()
    expect(shapes.lookup(raw('{"id":1}', {}, 'columns=id'), fakeSchemaCache, plan)).toBeUndefined()
    expect(counter.planned).toBe(0)
    // planned once (and answered from that plan), never templated
    for (const id of [1, 2]) {
      const r = raw(`[{"id":${id}}]`, { prefer: 'missing=default' })
      expect(shapes.lookup(r, fakeSchemaCache, plan)?.main).toEqual(id === 1 ? fresh(r).main : undefined)
    }
    expect(shapes.lookup(raw('{"nope":1}'), fakeSchemaCache, plan)).toBeUndefined()
    expect(shapes.lookup(raw('{"nope":2}'), fakeSchemaCache, plan)).toBeUndefined()
    expect(counter.planned).toBe(2)
  })
})
