/**
 * Abandoned requests on PostgreSQL: clients start long statements (pg_sleep through an RPC), several
 * pipelined on each connection, and go away. The statements are cancelled, and the pool answers new
 * requests promptly instead of after sleeps nobody waits for. (A request that reaches a connection
 * before the server has noticed the others left still waits behind them: a cancel could hit it.)
 */
import pg from 'pg'
import type { ScenarioResult } from './scenario-result.js'

export const SLOW_FUNCTION_SQL = `
  create function fault_sleep(seconds float) returns int language sql as $$ select 1 from pg_sleep(seconds) $$;
  grant usage on schema public to anonymous;
  grant execute on function fault_sleep(float) to anonymous;`

export type AbandonedOptions = Readonly<{
  /** `.../rest/v1` of the server */
  base: string
  /** the server's database, watched directly */
  databaseUrl: string
  /** the server's connections */
  poolSize: number
  /** requests abandoned at once */
  abandoned: number
  /** how long each abandoned statement would sleep */
  sleepSeconds: number
}>

async function sleeping(watcher: pg.Client): Promise<number> {
  const { rows } = await watcher.query<{ n: number }>(
    `select count(*)::int as n from pg_stat_activity where query like '%fault_sleep%' and state = 'active' and pid <> pg_backend_pid()`,
  )
  return rows[0]?.n ?? 0
}

export async function runAbandonedRequests(options: AbandonedOptions): Promise<ScenarioResult> {
  const watcher = new pg.Client({ connectionString: options.databaseUrl })
  await watcher.connect()
  try {
    const aborts = Array.from({ length: options.abandoned }, () => new AbortController())
    const requests = aborts.map((a) =>
      fetch(`${options.base}/rpc/fault_sleep?seconds=${options.sleepSeconds}`, { signal: a.signal }).then(
        (r) => r.arrayBuffer(),
        () => undefined,
      ),
    )
    const started = Date.now()
    const expected = Math.min(options.abandoned, options.poolSize)
    while ((await sleeping(watcher)) < expected && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 50))
    const before = await sleeping(watcher)
    const abandonedAt = performance.now()
    for (const a of aborts) a.abort()
    await Promise.all(requests)
    let left = await sleeping(watcher)
    const deadline = Date.now() + options.sleepSeconds * 1000
    while (left > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20))
      left = await sleeping(watcher)
    }
    const cancelledAfter = performance.now() - abandonedAt
    // then a new request: answered at once by a connection whose statements were cancelled
    const nextAt = performance.now()
    const next = await fetch(`${options.base}/rpc/fault_sleep?seconds=0`, { signal: AbortSignal.timeout(options.sleepSeconds * 1000) }).then(
      async (r) => ({ status: r.status as number | string, ms: performance.now() - nextAt, body: await r.text() }),
      (err: unknown) => ({ status: String(err), ms: performance.now() - nextAt, body: '' }),
    )
    const problems: string[] = []
    if (before === 0) problems.push('no statement was running when the clients went away')
    if (next.status !== 200) problems.push(`the next request got ${next.status} ${next.body}`)
    else if (next.ms > 1000) problems.push(`the next request waited ${next.ms.toFixed(0)} ms`)
    if (left > 0 || cancelledAfter > 5000) problems.push(`${left} abandoned statements still running ${cancelledAfter.toFixed(0)} ms later`)
    return {
      name: 'Abandoned requests on PostgreSQL',
      passed: problems.length === 0,
      figures: {
        abandoned: `${options.abandoned} requests of pg_sleep(${options.sleepSeconds}) on ${options.poolSize} connections (${before} running when abandoned)`,
        'all statements gone after': `${cancelledAfter.toFixed(0)} ms`,
        'next request answered in': `${next.ms.toFixed(0)} ms (${next.status})`,
      },
      problems,
    }
  } finally {
    await watcher.end()
  }
}
