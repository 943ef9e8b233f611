/**
 * The short form of `npm run faults` (scripts/faults.ts), same scenario code at small sizes: a private
 * PostgreSQL cluster restarted and killed, and the server's connections terminated, under write load (every acknowledged write there once and
 * whole), slow clients on both backends, abandoned requests on PostgreSQL. Two servers on one folder
 * is test/data-folder.test.ts's. The shared cluster of DATABASE_URL is never touched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runAbandonedOn } from '../scripts/faults/abandoned-server.js'
import { runPostgresFault } from '../scripts/faults/postgres-faults.js'
import { privatePostgresUnavailable, startPrivatePostgres, type PrivatePostgres } from '../scripts/faults/private-postgres.js'
import type { ScenarioResult } from '../scripts/faults/scenario-result.js'
import { SMALL } from '../scripts/faults/sizes.js'
import { runSlowClientsOn } from '../scripts/faults/slow-clients-server.js'

const unavailable = privatePostgresUnavailable()
// CI's second pass (through PgBouncer) has nothing to add: these tests bring their own cluster
const pooledPass = process.env.DATA_API_TEST_BACKENDS === 'postgres'

/** The scenario's own verdict, with its figures and problems in the failure message. */
function expectPassed(r: ScenarioResult): void {
  expect({ passed: r.passed, problems: r.problems, figures: r.figures }).toMatchObject({ passed: true, problems: [] })
}

if (unavailable) console.warn(`test/faults.test.ts: PostgreSQL scenarios skipped, no private cluster can be started: ${unavailable}`)

describe.skipIf(unavailable !== undefined || pooledPass)('faults on a private PostgreSQL cluster', () => {
  let pg: PrivatePostgres
  beforeAll(async () => {
    pg = await startPrivatePostgres(() => {})
  })
  afterAll(() => pg?.stop())

  it('keeps every acknowledged write, once and whole, across pg_ctl restart -m fast', async () => {
    expectPassed(await runPostgresFault(pg, 'restart', SMALL.postgres))
  })

  it('keeps every acknowledged write, once and whole, across kill -9 of the postmaster', async () => {
    expectPassed(await runPostgresFault(pg, 'kill', SMALL.postgres))
  })

  it('keeps every acknowledged write, once and whole, when its connections are terminated', async () => {
    expectPassed(await runPostgresFault(pg, 'terminate', SMALL.postgres))
  })

  it('answers 408 to slow clients and everyone else meanwhile', async () => {
    expectPassed(await runSlowClientsOn('postgres', await pg.createDatabase('faults_slow'), SMALL.slow))
  })

  it('cancels abandoned statements and answers the next request at once', async () => {
    expectPassed(await runAbandonedOn(await pg.createDatabase('faults_abandoned'), SMALL.abandoned))
  })
})

describe.skipIf(pooledPass)('faults on the embedded backend', () => {
  it('answers 408 to slow clients and everyone else meanwhile', async () => {
    expectPassed(await runSlowClientsOn('pglite', undefined, SMALL.slow))
  })
})
