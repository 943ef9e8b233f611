/**
 * Property: no generated request (test/support/fuzz-arbitraries.ts: the URL grammar, headers, bodies,
 * methods, RPC paths, with random text at every level) makes the server answer 5xx or show SQL it
 * generated in an error, and the server answers normally afterwards. 10^4 cases in all, split over the
 * backends, sent a few at a time; `npm run fuzz` runs 10^6. A failure prints the seed that reproduces it.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FUZZ_SCHEMA_SQL, FUZZ_SERVER_CONFIG, fuzzRequest } from './support/fuzz-arbitraries.js'
import { describeFuzzRequest, FUZZ_RESEED_SQL, runFuzzRequests, sqlLeak } from './support/fuzz-check.js'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

const CASES = Math.ceil(10_000 / backends.length)
const CHUNK = 1000
const CONCURRENCY = 4

describe('SQL markers', () => {
  it('finds our SQL in an error, but not what the request itself sent', () => {
    expect(sqlLeak('{"message":"syntax error at or near \\"from\\"","details":"select json_agg(_postgrest_t) from x"}', '/things')).toBe('select json_agg(_postgrest_t) from')
    expect(sqlLeak('{"message":"could not determine data type of parameter $1"}', '/things')).toBe('$1')
    expect(sqlLeak('{"message":"failed to parse select parameter (a,b)"}', '/things?select=a,b')).toBeUndefined()
    expect(sqlLeak('{"message":"invalid input syntax for type integer: \\"$1\\""}', '/things?id=eq.$1')).toBeUndefined()
  })
})

describe.each(backends)('fuzzed requests on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend, FUZZ_SERVER_CONFIG)
    await s.sql(FUZZ_SCHEMA_SQL)
  })
  afterAll(async () => s?.close())

  it(`never answers 5xx or shows generated SQL, over ${CASES} requests`, { timeout: 600_000 }, async () => {
    const seed = Date.now() ^ (Math.random() * 2 ** 31)
    const started = performance.now()
    for (let done = 0; done < CASES; done += CHUNK) {
      const requests = fc.sample(fuzzRequest, { seed: seed + done, numRuns: Math.min(CHUNK, CASES - done) })
      const failures = await runFuzzRequests(s.base, requests, CONCURRENCY)
      const report = failures.slice(0, 5).map((f) => `#${done + f.index} ${describeFuzzRequest(f.request)}\n  -> ${f.problem}`)
      expect(report, `seed ${seed} (npm run fuzz -- --seed ${seed} --cases ${CASES} --backend ${backend})`).toEqual([])
      await s.sql(FUZZ_RESEED_SQL)
    }
    console.log(`fuzz on ${backend}: ${CASES} requests in ${((performance.now() - started) / 1000).toFixed(1)} s (seed ${seed})`)
    const res = await s.request('/things?select=id&order=id')
    expect([res.status, await res.json()]).toEqual([200, [{ id: 1 }, { id: 2 }]])
  })
})
