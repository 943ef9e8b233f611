/**
 * `npm run faults`: PostgreSQL restarted, killed, and the server's connections terminated under write
 * load; two servers on one folder; slow clients; abandoned requests. On a private PostgreSQL cluster
 * (the shared one is never touched).
 * Prints a PASS/FAIL table with the figures (recovery times) and exits 1 when a scenario fails.
 *
 *   npm run faults             full sizes (about 80 s)
 *   npm run faults -- --small  the sizes CI runs in test/faults.test.ts
 */
import { runAbandonedOn } from './faults/abandoned-server.js'
import { runPostgresFault } from './faults/postgres-faults.js'
import { privatePostgresUnavailable, startPrivatePostgres } from './faults/private-postgres.js'
import { renderSummary, type ScenarioResult } from './faults/scenario-result.js'
import { runSharedFolder } from './faults/shared-folder.js'
import { FULL, SMALL } from './faults/sizes.js'
import { runSlowClientsOn } from './faults/slow-clients-server.js'

const sizes = process.argv.includes('--small') ? SMALL : FULL
const results: ScenarioResult[] = []

async function scenario(name: string, run: () => Promise<ScenarioResult>): Promise<void> {
  const started = performance.now()
  process.stdout.write(`${name} ... `)
  try {
    const r = await run()
    results.push(r)
    console.log(`${r.passed ? 'PASS' : 'FAIL'} (${((performance.now() - started) / 1000).toFixed(1)} s)`)
  } catch (err) {
    results.push({ name, passed: false, figures: {}, problems: [`threw: ${(err as Error).stack ?? String(err)}`] })
    console.log('FAIL (threw)')
  }
}

const unavailable = privatePostgresUnavailable()
if (unavailable) {
  console.error(`cannot start a private PostgreSQL cluster: ${unavailable}`)
  process.exit(1)
}
const pg = await startPrivatePostgres(console.log)
const stop = () => pg.stop()
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stop()
    process.exit(130)
  })
}
try {
  await scenario('PostgreSQL restarted under write load', () => runPostgresFault(pg, 'restart', sizes.postgres))
  await scenario('PostgreSQL killed under write load', () => runPostgresFault(pg, 'kill', sizes.postgres))
  await scenario('Connections terminated under write load', () => runPostgresFault(pg, 'terminate', sizes.postgres))
  await scenario('Two servers on one folder', () => runSharedFolder(process.cwd()))
  const slowDb = await pg.createDatabase('faults_slow')
  await scenario('Slow clients on PostgreSQL', () => runSlowClientsOn('postgres', slowDb, sizes.slow))
  await scenario('Slow clients on the embedded backend', () => runSlowClientsOn('pglite', undefined, sizes.slow))
  const abandonedDb = await pg.createDatabase('faults_abandoned')
  await scenario('Abandoned requests on PostgreSQL', () => runAbandonedOn(abandonedDb, sizes.abandoned))
} finally {
  stop()
}
console.log(renderSummary(results))
process.exit(results.every((r) => r.passed) ? 0 : 1)
