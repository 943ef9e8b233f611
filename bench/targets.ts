/**
 * The targets of the benchmark's issue, checked against a run's medians: reads at least 2× the
 * hand-written endpoint and 0.3× pgbench, writes and RPC at least 1.5× the hand-written endpoint,
 * p99 at most 5× p50, no errors or non-2xx answers, memory flat over the soak. The bench reports;
 * it does not fail on a missed target (timings vary with whatever else the machine runs).
 */
import type { WorkloadName } from './workloads.js'

export type TargetInput = Readonly<{
  name: WorkloadName
  /** undefined when the server was not measured */
  server: Readonly<{ p50Ms: number; p99Ms: number; non2xx: number; errors: number }> | undefined
  serverToPgbench: number
  serverToHandWritten: number
}>

export type TargetCheck = Readonly<{ what: string; met: boolean; detail: string }>

const READS: readonly WorkloadName[] = ['get-one', 'list', 'embed']

export function checkTargets(workloads: readonly TargetInput[], soak: Readonly<{ flat: boolean; growth: number }> | undefined): TargetCheck[] {
  const checks: TargetCheck[] = []
  const ratio = (n: number) => (Number.isFinite(n) ? `${n.toFixed(3)}×` : 'not measured')
  for (const w of workloads) {
    const read = READS.includes(w.name)
    const handGoal = read ? 2 : 1.5
    checks.push({ what: `${w.name}: server ≥ ${handGoal}× hand-written`, met: w.serverToHandWritten >= handGoal, detail: ratio(w.serverToHandWritten) })
    if (read) checks.push({ what: `${w.name}: server ≥ 0.3× pgbench`, met: w.serverToPgbench >= 0.3, detail: ratio(w.serverToPgbench) })
    if (w.server) {
      const spread = w.server.p99Ms / w.server.p50Ms
      checks.push({ what: `${w.name}: p99 ≤ 5× p50`, met: spread <= 5, detail: `${spread.toFixed(1)}×` })
      const failures = w.server.non2xx + w.server.errors
      checks.push({ what: `${w.name}: no errors, no non-2xx`, met: failures === 0, detail: `${failures}` })
    } else {
      checks.push({ what: `${w.name}: server measured`, met: false, detail: 'not measured' })
    }
  }
  if (soak) checks.push({ what: 'memory flat over the soak', met: soak.flat, detail: `${soak.growth >= 0 ? '+' : ''}${(soak.growth * 100).toFixed(1)}%` })
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
