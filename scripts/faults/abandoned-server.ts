/** Runs the abandoned-requests scenario against a fresh test server on a private PostgreSQL database. */
import { startTestServer } from '../../test/support/test-server.js'
import { runAbandonedRequests, SLOW_FUNCTION_SQL } from './abandoned-requests.js'
import type { ScenarioResult } from './scenario-result.js'

export async function runAbandonedOn(databaseUrl: string, sizes: Readonly<{ poolSize: number; abandoned: number; sleepSeconds: number }>): Promise<ScenarioResult> {
  const s = await startTestServer('postgres', { databaseUrl, databaseDirectUrl: databaseUrl, poolSize: sizes.poolSize, poolTimeoutSeconds: 2 })
  try {
    await s.sql(SLOW_FUNCTION_SQL)
    return await runAbandonedRequests({ base: s.base, databaseUrl, ...sizes })
  } finally {
    await s.close()
  }
}
