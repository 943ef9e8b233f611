/**
 * PostgreSQL restarted (`pg_ctl restart -m fast`) or its postmaster killed with SIGKILL and started
 * again, under a write load through the data-api: afterwards every acknowledged write is there once and
 * whole, and the recovery time (PostgreSQL back -> first write acknowledged) is measured.
 */
import pg from 'pg'
import { startTestServer } from '../../test/support/test-server.js'
import type { PrivatePostgres } from './private-postgres.js'
import type { ScenarioResult } from './scenario-result.js'
import { verifyWrites, writeCheckPassed } from './verify-writes.js'
import { startWriteLoad, statusCounts, waitForAcknowledged, WRITES_TABLE_SQL, type Attempt } from './write-load.js'

export type PostgresFault = 'restart' | 'kill' | 'terminate'

const NAMES: Record<PostgresFault, string> = {
  restart: 'PostgreSQL restarted (-m fast) under write load',
  kill: 'PostgreSQL postmaster killed (-9) under write load',
  terminate: "The server's connections terminated (pg_terminate_backend) under write load",
}

/** Ends every other session on the database, as an administrator (or a failover proxy) would. */
async function terminateSessions(databaseUrl: string): Promise<number> {
  const admin = new pg.Client({ connectionString: databaseUrl })
  await admin.connect()
  try {
    const { rows } = await admin.query<{ n: number }>(
      `select count(*) filter (where pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
    )
    return rows[0]?.n ?? 0
  } finally {
    await admin.end()
  }
}

export type PostgresFaultOptions = Readonly<{
  clients: number
  batchSize: number
  maxPayload: number
  /** acknowledged batches before the fault, and again after recovery, before the load stops */
  batchesAround: number
  /** how long the postmaster stays dead after SIGKILL before it is started again */
  deadMs: number
}>

const ms = (n: number) => `${n.toFixed(0)} ms`

/** The longest time between two acknowledgements (by when their answers came). */
function longestGap(acked: readonly Attempt[]): number {
  const ends = acked.map((a) => a.endedAt).sort((a, b) => a - b)
  let gap = 0
  for (let i = 1; i < ends.length; i++) gap = Math.max(gap, (ends[i] as number) - (ends[i - 1] as number))
  return gap
}

export async function runPostgresFault(postgres: PrivatePostgres, fault: PostgresFault, options: PostgresFaultOptions): Promise<ScenarioResult> {
  const name = NAMES[fault]
  const databaseUrl = await postgres.createDatabase(`faults_${fault}_${Date.now()}`)
  // short pool timeout: requests during the outage fail fast instead of piling up
  const s = await startTestServer('postgres', { databaseUrl, databaseDirectUrl: databaseUrl, poolSize: 4, poolTimeoutSeconds: 2 })
  try {
    await s.sql(WRITES_TABLE_SQL)
    const load = startWriteLoad({ base: s.base, clients: options.clients, batchSize: options.batchSize, maxPayload: options.maxPayload, backoffMs: 25, requestTimeoutMs: 15_000 })
    let faultAt = 0
    let backAt = 0
    let startAt = 0
    let startAttempts = 0
    let terminated = 0
    try {
      await waitForAcknowledged(load, options.batchesAround, 30_000)
      faultAt = performance.now()
      if (fault === 'restart') {
        await postgres.cluster.restart('fast')
      } else if (fault === 'terminate') {
        terminated = await terminateSessions(databaseUrl)
      } else {
        postgres.cluster.killPostmaster()
        await new Promise((r) => setTimeout(r, options.deadMs))
        startAt = performance.now()
        startAttempts = (await postgres.cluster.start(30_000)).attempts
      }
      backAt = performance.now()
      await waitForAcknowledged(load, options.batchesAround, 60_000)
    } finally {
      await load.stop()
    }
    const acked = load.acknowledged()
    const firstAfter = Math.min(...acked.filter((a) => a.endedAt > backAt).map((a) => a.endedAt))
    const recoveryMs = firstAfter - backAt
    const ready = await fetch(`${s.app.url}/ready`).then((r) => r.status, () => 0)
    const check = await verifyWrites(databaseUrl, load.attempts)
    const statuses = statusCounts(load.attempts)
    // during the outage every answer is 503 (PGRST000, or PGRST003 when no connection is free in time):
    // anything else (a 500, a 400, no answer) is the server not knowing what happened
    const unexpected = Object.keys(statuses).filter((k) => !/^2\d\d$/.test(k) && k !== '503')
    const passed = writeCheckPassed(check) && unexpected.length === 0 && Number.isFinite(recoveryMs) && ready === 200
    const problems = [
      check.lost.length ? `${check.lost.length} acknowledged batches lost (${check.lost.slice(0, 3).join(', ')})` : '',
      check.duplicated.length ? `${check.duplicated.length} batches duplicated` : '',
      check.torn.length ? `${check.torn.length} batches half-written` : '',
      check.unknown.length ? `${check.unknown.length} batches never sent` : '',
      ...unexpected.map((k) => `${statuses[k]} answers ${k}: ${load.bodies.get(k) ?? ''}`),
      ready === 200 ? '' : `/ready answered ${ready} afterwards`,
    ].filter(Boolean)
    return {
      name,
      passed,
      figures: {
        ...(fault === 'restart'
          ? { 'pg_ctl restart took': ms(backAt - faultAt) }
          : fault === 'terminate'
          ? { 'sessions terminated': String(terminated) }
          : { 'dead for': ms(startAt - faultAt), 'pg_ctl start (crash recovery) took': `${ms(backAt - startAt)} in ${startAttempts} attempt(s)` }),
        [fault === 'terminate' ? 'recovery (sessions terminated -> first write acknowledged)' : 'recovery (PostgreSQL back -> first write acknowledged)']: ms(recoveryMs),
        'longest gap between acknowledged writes': ms(longestGap(acked)),
        'batches acknowledged / sent': `${acked.length} / ${load.attempts.length} (${options.batchSize} rows each)`,
        answers: JSON.stringify(statuses),
        ...Object.fromEntries([...load.bodies].map(([status, body]) => [`first ${status}`, body])),
        'failed but committed (allowed)': String(check.committedUnacknowledged),
        '/ready afterwards': String(ready),
      },
      recoveryMs,
      problems,
    }
  } finally {
    await s.close()
  }
}
