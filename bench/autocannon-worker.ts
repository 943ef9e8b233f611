/**
 * The autocannon fallback of bench/load.ts, in its own process so the load generator does not share
 * an event loop with the harness: reads a LoadSpec from the JSON file named by argv[2], runs it and
 * prints `AUTOCANNON_RESULT {...}`.
 */
import { readFileSync } from 'node:fs'
import autocannon from 'autocannon'
import type { LoadResult, LoadSpec } from './load.js'
import { fill } from './workloads.js'

const spec = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as LoadSpec
const { workload, tokens } = spec
const users = tokens.length

function randomInt(n: number): number {
  return Math.floor(Math.random() * n)
}

const result = await autocannon({
  url: spec.origin,
  connections: spec.connections,
  duration: spec.durationSeconds,
  timeout: 10,
  requests: [
    {
      setupRequest: (request) => {
        const user = randomInt(users) + 1
        const author = user + users * randomInt(spec.authorsPerUser)
        return {
          ...request,
          method: workload.method,
          path: fill(spec.basePath + workload.path, author),
          headers: { ...workload.headers, Authorization: `Bearer ${tokens[user - 1] as string}` },
          ...(workload.body === undefined ? {} : { body: fill(workload.body, author) }),
        }
      },
    },
  ],
})

const out: LoadResult = {
  tool: 'autocannon',
  requests: result.requests.total,
  seconds: result.duration,
  rps: result.requests.total / result.duration,
  p50Ms: result.latency.p50,
  p99Ms: result.latency.p99,
  non2xx: result.non2xx,
  errors: result.errors + result.timeouts,
}
console.log(`AUTOCANNON_RESULT ${JSON.stringify(out)}`)
