/**
 * The targets of issue 17, checked against a run's medians: single-row and list reads at least 3× the
 * hand-written endpoint and 0.5× pgbench replaying the statements the server sent; writes and RPC
 * at least 2× the hand-written endpoint; p99 at most 5× p50 and no errors or non-2xx answers on
 * both backends; the embedded backend at least 1,500 req/s on the row-by-key read; memory flat over
 * the soak on both backends. The bench reports; it does not fail on a missed target (timings vary
 * with whatever else the machine runs).
 */
import type { WorkloadName } from './workloads.js'

type Latencies = Readonly<{ rps: number; p50Ms: number; p99Ms: number; non2xx: number; errors: number }>

export type TargetInput = Readonly<{
  name: WorkloadName
  /** undefined when that backend was not measured (or not run) */
  server: Latencies | undefined
  embedded: Latencies | undefined
  toHandWritten: number
  toPipelined: number
}>

export type SoakInput = Readonly<{ backend: string; flat: boolean; growth: number; startMb: number; endMb: number }>

export type TargetCheck = Readonly<{ what: string; met: boolean; detail: string }>

/** ratio goals per workload: × the hand-written endpoint, × pgbench pipelined */
const GOALS: Readonly<Record<WorkloadName, Readonly<{ hand?: number; pipelined?: number }>>> = {
  'get-one': { hand: 3, pipelined: 0.5 },
  list: { hand: 3, pipelined: 0.5 },
  embed: {},
  insert: { hand: 2 },
  rpc: { hand: 2 },
}
export const EMBEDDED_GET_ONE_RPS = 1500
const P99_SPREAD = 5

function ratio(n: number): string {
  return Number.isFinite(n) ? `${n.toFixed(2)}×` : 'not measured'
}

function latencyChecks(label: string, l: Latencies | undefined): TargetCheck[] {
  if (!l) return [{ what: `${label}: measured`, met: false, detail: 'not measured' }]
  const spread = l.p99Ms / l.p50Ms
  const failures = l.non2xx + l.errors
  return [
    { what: `${label}: p99 ≤ ${P99_SPREAD}× p50`, met: spread <= P99_SPREAD, detail: `${Number.isFinite(spread) ? spread.toFixed(1) : '–'}×` },
    { what: `${label}: no errors, no non-2xx`, met: failures === 0, detail: `${failures}` },
  ]
}

export function checkTargets(workloads: readonly TargetInput[], soaks: readonly SoakInput[], embeddedRun: boolean): TargetCheck[] {
  const checks: TargetCheck[] = []
  for (const w of workloads) {
    const goal = GOALS[w.name]
    if (goal.hand !== undefined) {
      checks.push({ what: `${w.name}: ≥ ${goal.hand}× hand-written`, met: w.toHandWritten >= goal.hand, detail: ratio(w.toHandWritten) })
    }
    if (goal.pipelined !== undefined) {
      checks.push({ what: `${w.name}: ≥ ${goal.pipelined}× pgbench pipelined`, met: w.toPipelined >= goal.pipelined, detail: ratio(w.toPipelined) })
    }
    checks.push(...latencyChecks(w.name, w.server))
    if (embeddedRun) {
      checks.push(...latencyChecks(`${w.name} embedded`, w.embedded))
      if (w.name === 'get-one') {
        const rps = w.embedded?.rps ?? Number.NaN
        checks.push({ what: `get-one embedded: ≥ ${EMBEDDED_GET_ONE_RPS} req/s`, met: rps >= EMBEDDED_GET_ONE_RPS, detail: Number.isFinite(rps) ? `${rps.toFixed(0)} req/s` : 'not measured' })
      }
    }
  }
  for (const s of soaks) {
    const sign = s.growth >= 0 ? '+' : ''
    checks.push({
      what: `${s.backend}: memory flat over the soak`,
      met: s.flat,
      detail: `${s.startMb.toFixed(0)} → ${s.endMb.toFixed(0)} MB (${sign}${(s.growth * 100).toFixed(1)}%)`,
    })
  }
  return checks
}

export function renderTargets(checks: readonly TargetCheck[]): string {
  const width = Math.max(...checks.map((c) => c.what.length))
  const missed = checks.filter((c) => !c.met).length
  return [
    `Targets: ${missed === 0 ? 'all met' : `${missed} of ${checks.length} missed`}`,
    ...checks.map((c) => `  ${c.met ? 'met   ' : 'MISSED'}  ${c.what.padEnd(width)}  ${c.detail}`),
  ].join('\n')
}
