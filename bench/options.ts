/**
 * The bench's command line (`npm run bench -- --help`), parsed without side effects so it can be
 * tested: parseOptions(argv, env) returns the options, or `'help'` when --help was asked for.
 */
import { parseArgs } from 'node:util'
import { AUTHORS } from './fixture.js'
import { WORKLOAD_NAMES, type WorkloadName } from './workloads.js'

export type Options = Readonly<{
  duration: number
  rounds: number
  warmup: number
  connections: number
  threads: number
  pgbenchClients: number
  pgbenchThreads: number
  pool: number
  workers: number
  soak: number
  users: number
  only: readonly WorkloadName[]
  embedded: boolean
  pgTunables: boolean
  nodeTunables: boolean
  cpuProf: boolean
  out: string | undefined
}>

export const USAGE = `npm run bench -- [options]

Needs wrk (apt-get install wrk) and the PostgreSQL server binaries (apt-get install postgresql).

  --duration <s>          seconds per measured run (env BENCH_DURATION, default 10)
  --rounds <n>            interleaved rounds (env BENCH_ROUNDS, default 3)
  --warmup <s>            warm-up seconds per HTTP server and workload (env BENCH_WARMUP, default 2)
  --connections <n>       HTTP connections (default 50)
  --threads <n>           wrk threads (default 1)
  --pgbench-clients <n>   pgbench clients (default 10)
  --pgbench-threads <n>   pgbench threads (default 2)
  --pool <n>              database connections of each server (default 10; with --workers, shared out among them)
  --workers <n>           run the data-api on PostgreSQL as \`serve --workers n\` (default 1)
  --soak <s>              then load each data-api alone this long, cycling the workloads, and check its
                          memory stays flat (env BENCH_SOAK, default 60; 0 skips)
  --users <n>             users, each with its own token (default 100; must divide ${AUTHORS})
  --only <names>          comma-separated workloads: ${WORKLOAD_NAMES.join(', ')}
  --no-embedded           leave out the embedded backend (PGlite)
  --no-pg-tunables        start PostgreSQL without GLIBC_TUNABLES (to see the trap in performance.md)
  --node-tunables         also set GLIBC_TUNABLES on the Node processes
  --cpu-prof              instead of the rounds, profile the data-api (--cpu-prof) on each workload for
                          --duration seconds and print where its time goes; profiles go to bench/results/
  --out <file>            results file (default bench/results/<timestamp>.json)
  --help`

type Env = Readonly<Record<string, string | undefined>>

function number(raw: string | undefined, fallback: number, name: string, whole: boolean): number {
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n <= 0 || (whole && !Number.isInteger(n))) {
    throw new Error(`--${name} must be a positive ${whole ? 'whole ' : ''}number (got ${raw})`)
  }
  return n
}

export function parseOptions(argv: readonly string[], env: Env): Options | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      duration: { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      threads: { type: 'string' },
      'pgbench-clients': { type: 'string' },
      'pgbench-threads': { type: 'string' },
      pool: { type: 'string' },
      workers: { type: 'string' },
      soak: { type: 'string' },
      users: { type: 'string' },
      only: { type: 'string' },
      'no-embedded': { type: 'boolean' },
      'no-pg-tunables': { type: 'boolean' },
      'node-tunables': { type: 'boolean' },
      'cpu-prof': { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  })
  if (values.help) return 'help'
  const only = values.only?.split(',').map((s) => s.trim()).filter((s) => s !== '') ?? [...WORKLOAD_NAMES]
  for (const name of only) {
    if (!(WORKLOAD_NAMES as readonly string[]).includes(name)) throw new Error(`unknown workload ${name} (known: ${WORKLOAD_NAMES.join(', ')})`)
  }
  // 0 turns these two off; every other number must be positive
  const soak = values.soak ?? env.BENCH_SOAK
  const warmup = values.warmup ?? env.BENCH_WARMUP
  return {
    duration: number(values.duration ?? env.BENCH_DURATION, 10, 'duration', false),
    rounds: number(values.rounds ?? env.BENCH_ROUNDS, 3, 'rounds', true),
    warmup: warmup === '0' ? 0 : number(warmup, 2, 'warmup', false),
    connections: number(values.connections, 50, 'connections', true),
    threads: number(values.threads, 1, 'threads', true),
    pgbenchClients: number(values['pgbench-clients'], 10, 'pgbench-clients', true),
    pgbenchThreads: number(values['pgbench-threads'], 2, 'pgbench-threads', true),
    pool: number(values.pool, 10, 'pool', true),
    workers: number(values.workers, 1, 'workers', true),
    soak: soak === '0' ? 0 : number(soak, 60, 'soak', false),
    users: number(values.users, 100, 'users', true),
    only: only as WorkloadName[],
    embedded: !values['no-embedded'],
    pgTunables: !values['no-pg-tunables'],
    nodeTunables: values['node-tunables'] ?? false,
    cpuProf: values['cpu-prof'] ?? false,
    out: values.out,
  }
}
