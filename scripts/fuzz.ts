/**
 * `npm run fuzz`: the fuzz of test/fuzz.test.ts at full size, 10^6 generated requests (URL grammar,
 * headers, bodies, methods, RPC paths) against one backend, in chunks, printing progress and the seed.
 * Stops at the first chunk with a failure (5xx, or generated SQL in an error) and prints how to rerun it.
 *
 *   npm run fuzz                                   10^6 on PGlite (PostgreSQL too with --backend postgres)
 *   npm run fuzz -- --cases 20000 --seed 42        a given size and seed
 *   npm run fuzz -- --backend postgres             needs DATABASE_URL (a fresh database is made on it)
 *   npm run fuzz -- --seed 42 --from 31000         resume (or reproduce) from a case number
 */
import fc from 'fast-check'
import { parseArgs } from 'node:util'
import { FUZZ_SCHEMA_SQL, FUZZ_SERVER_CONFIG, fuzzRequest } from '../test/support/fuzz-arbitraries.js'
import { describeFuzzRequest, FUZZ_RESEED_SQL, runFuzzRequests } from '../test/support/fuzz-check.js'
import { startTestServer, type Backend } from '../test/support/test-server.js'

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '1000000' },
    seed: { type: 'string' },
    from: { type: 'string', default: '0' },
    backend: { type: 'string', default: 'pglite' },
    concurrency: { type: 'string', default: '4' },
    chunk: { type: 'string', default: '1000' },
  },
})
const cases = Number(values.cases)
const seed = values.seed === undefined ? Date.now() ^ (Math.random() * 2 ** 31) : Number(values.seed)
const chunk = Number(values.chunk)
const backend = values.backend as Backend
if (backend !== 'pglite' && backend !== 'postgres') throw new Error('--backend is pglite or postgres')
if (backend === 'postgres' && !process.env.DATABASE_URL) throw new Error('--backend postgres needs DATABASE_URL')

console.log(`fuzz: ${cases} requests on ${backend}, seed ${seed}, ${values.concurrency} at a time`)
const s = await startTestServer(backend, FUZZ_SERVER_CONFIG)
let failed = false
// an interrupted run still drops its database (on PostgreSQL) and stops the server
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`\ninterrupted; to go on: npm run fuzz -- --seed ${seed} --from ${done} --cases ${cases} --backend ${backend}`)
    void s.close().finally(() => process.exit(130))
  })
}
let done = Math.floor(Number(values.from) / chunk) * chunk
try {
  await s.sql(FUZZ_SCHEMA_SQL)
  const started = performance.now()
  // chunks start at multiples of `chunk`, each sampled with seed + its start: any chunk can be rerun alone
  for (; done < cases; done += chunk) {
    const requests = fc.sample(fuzzRequest, { seed: seed + done, numRuns: Math.min(chunk, cases - done) })
    const failures = await runFuzzRequests(s.base, requests, Number(values.concurrency))
    if (failures.length > 0) {
      failed = true
      for (const f of failures.slice(0, 10)) console.log(`\n#${done + f.index} ${describeFuzzRequest(f.request)}\n  -> ${f.problem}`)
      console.log(`\n${failures.length} failures in cases ${done}-${done + requests.length - 1}; rerun: npm run fuzz -- --seed ${seed} --from ${done} --cases ${done + chunk} --backend ${backend}`)
      break
    }
    await s.sql(FUZZ_RESEED_SQL)
    const elapsed = (performance.now() - started) / 1000
    const total = done + requests.length
    if (total % (chunk * 10) === 0 || total === cases) console.log(`${total} / ${cases} requests, ${elapsed.toFixed(0)} s, ${(total / elapsed).toFixed(0)} req/s, no failures`)
  }
} finally {
  await s.close()
}
process.exit(failed ? 1 : 0)
