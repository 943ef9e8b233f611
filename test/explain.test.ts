/**
 * EXPLAIN through `Accept: application/vnd.pgrst.plan[+json|+text]` (DATA_API_PLAN_ENABLED): the plan
 * of the statement the request would run, in JSON or text, with options, for reads, RPC and writes
 * (which are rolled back). Disabled by default: 406 PGRST107. Runs on each backend.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

const library = readFileSync(new URL('./fixtures/library.sql', import.meta.url), 'utf8')
const functions = readFileSync(new URL('./fixtures/rpc.sql', import.meta.url), 'utf8')

describe.each(backends)('EXPLAIN on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend, { planEnabled: true })
    await s.sql(library)
    await s.sql(functions)
  })
  afterAll(async () => s?.close())

  const reviews = async () => ((await (await s.request('/reviews?select=id')).json()) as unknown[]).length

  it('answers the JSON plan of a read', async () => {
    const res = await s.request('/books?id=eq.1', { headers: { Accept: 'application/vnd.pgrst.plan+json' } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/vnd.pgrst.plan+json; for="application/json"; charset=utf-8')
    const plan = (await res.json()) as { Plan: { 'Node Type': string } }[]
    expect(plan).toHaveLength(1)
    expect(typeof plan[0]!.Plan['Node Type']).toBe('string')
  })

  it('answers the text plan, for another media type, with options', async () => {
    const res = await s.request('/books?select=id,title', {
      headers: { Accept: 'application/vnd.pgrst.plan; for="text/csv"; options=analyze|verbose' },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/vnd.pgrst.plan+text; for="text/csv"; options=analyze|verbose; charset=utf-8')
    const text = await res.text()
    expect(text).toMatch(/actual time=/)
    expect(text).toMatch(/Execution Time/)
  })

  it('explains RPC calls and rolls back what an analysed call wrote', async () => {
    const before = await reviews()
    const res = await s.request('/rpc/add_review', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/vnd.pgrst.plan+json; options=analyze' },
      body: JSON.stringify({ book: 1, stars: 5 }),
    })
    expect(res.status).toBe(200)
    const plan = (await res.json()) as { 'Execution Time': number }[]
    expect(typeof plan[0]!['Execution Time']).toBe('number')
    expect(await reviews()).toBe(before)
  })

  it('rolls back an analysed insert', async () => {
    const before = await reviews()
    const res = await s.request('/reviews', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/vnd.pgrst.plan+json; options=analyze' },
      body: JSON.stringify({ id: 100, book_id: 1, stars: 2 }),
    })
    expect(res.status).toBe(200)
    expect(await reviews()).toBe(before)
  })

  it('still prefers an earlier acceptable media type', async () => {
    const res = await s.request('/genres?id=eq.1', { headers: { Accept: 'application/json, application/vnd.pgrst.plan+json' } })
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(await res.json()).toEqual([{ id: 1, name: 'Fantasy' }])
  })
})

describe.each(backends)('EXPLAIN disabled on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend)
    await s.sql(library)
  })
  afterAll(async () => s?.close())

  it('answers 406 PGRST107', async () => {
    const res = await s.request('/books', { headers: { Accept: 'application/vnd.pgrst.plan+json' } })
    expect(res.status).toBe(406)
    expect(await res.json()).toEqual({
      code: 'PGRST107',
      details: null,
      hint: null,
      message: 'None of these media types are available: application/vnd.pgrst.plan+json',
    })
  })
})
