/**
 * Runs pgbench on a script (pgbench-script.ts) against the bench cluster, `-M prepared -n`, and reads
 * its rate, failures and latencies (from its per-transaction log, since its own summary has no p99).
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { collect } from './processes.js'
import { percentile } from './stats.js'

export type PgbenchOptions = Readonly<{
  binDir: string
  port: number
  database: string
  clients: number
  threads: number
  /** seconds; or transactions with `transactions` */
  durationSeconds?: number
  transactions?: number
  scriptPath: string
  defines: Readonly<Record<string, string>>
  /** folder for the per-transaction logs (latencies); removed after reading */
  logDir: string
  sampleRate?: number
}>

export type PgbenchResult = Readonly<{ tps: number; p50Ms: number; p99Ms: number; transactions: number; failed: number }>

export async function runPgbench(options: PgbenchOptions): Promise<PgbenchResult> {
  const prefix = join(options.logDir, `pgbench-${Date.now()}`)
  const args = [
    ...['-h', '127.0.0.1', '-p', String(options.port), '-U', 'postgres', '-n', '-M', 'prepared'],
    ...['-c', String(options.clients), '-j', String(options.threads)],
    ...(options.transactions !== undefined ? ['-t', String(options.transactions)] : ['-T', String(options.durationSeconds ?? 10)]),
    ...['-f', options.scriptPath],
    ...Object.entries(options.defines).flatMap(([k, v]) => ['-D', `${k}=${v}`]),
    ...['-l', `--sampling-rate=${options.sampleRate ?? 0.2}`, `--log-prefix=${prefix}`],
    options.database,
  ]
  const out = await collect(join(options.binDir, 'pgbench'), args, ((options.durationSeconds ?? 10) + 60) * 1000)
  const latencies = readLatencies(prefix)
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(out.stdout)
  const processed = /number of transactions actually processed: (\d+)/.exec(out.stdout)
  const failed = /number of failed transactions: (\d+)/.exec(out.stdout)
  if (out.code !== 0 || !tps) {
    throw new Error(`pgbench failed (exit ${String(out.code)}):\n${out.stdout}${out.stderr}`.slice(0, 4000))
  }
  return {
    tps: Number(tps[1]),
    p50Ms: percentile(latencies, 50) / 1000,
    p99Ms: percentile(latencies, 99) / 1000,
    transactions: Number(processed?.[1] ?? 0),
    failed: Number(failed?.[1] ?? 0),
  }
}

/** Latencies in µs from pgbench's per-transaction logs (`client tx latency script epoch µs`). */
function readLatencies(prefix: string): number[] {
  const dir = dirname(prefix)
  const base = basename(prefix)
  const latencies: number[] = []
  if (!existsSync(dir)) return latencies
  for (const file of readdirSync(dir)) {
    if (!file.startsWith(base)) continue
    const path = join(dir, file)
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const fields = line.split(' ')
      const latency = Number(fields[2])
      if (fields.length >= 6 && Number.isFinite(latency)) latencies.push(latency)
    }
    rmSync(path, { force: true })
  }
  return latencies.sort((a, b) => a - b)
}
