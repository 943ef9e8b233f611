/**
 * The measured part of a run: a warm-up of every HTTP server on every workload, then interleaved
 * rounds in which each workload runs on every target one after another, the order rotating from
 * round to round so that no target always runs first (or right after the same neighbour).
 */
import { checkInterrupted } from './cleanup.js'
import { TARGETS, isHttpTarget, type PreparedWorkload, type Target } from './capture.js'
import { loadServer, measureOnce, type MeasureContext, type Measurement } from './measure.js'
import { failures, fmt, runLine } from './report.js'
import type { WorkloadName } from './workloads.js'

export type RoundsSpec = Readonly<{ rounds: number; duration: number; warmup: number }>

/** The order of the targets in a round (1-based): the list rotated by round − 1. */
export function roundOrder(round: number, targets: readonly Target[] = TARGETS): Target[] {
  return targets.map((_, i) => targets[(i + round - 1) % targets.length] as Target)
}

export async function runRounds(ctx: MeasureContext, prepared: readonly PreparedWorkload[], spec: RoundsSpec): Promise<Map<WorkloadName, Measurement[]>> {
  if (spec.warmup > 0) {
    console.log('\nWarm-up')
    for (const p of prepared) {
      for (const target of TARGETS) {
        if (!isHttpTarget(target) || p.status[target] !== 'ok') continue
        checkInterrupted()
        if (p.workload.writes) await ctx.truncate(target)
        const r = await loadServer(ctx, target, p, spec.warmup)
        console.log(`  ${p.workload.name.padEnd(8)} ${target.padEnd(17)} ${fmt(r.rps)} req/s${failures(r)}`)
      }
    }
  }
  const measurements = new Map<WorkloadName, Measurement[]>(prepared.map((p) => [p.workload.name, []]))
  for (let round = 1; round <= spec.rounds; round++) {
    console.log(`\nRound ${round}/${spec.rounds}`)
    for (const p of prepared) {
      for (const target of roundOrder(round)) {
        if (p.status[target] !== 'ok') continue
        checkInterrupted()
        const m = await measureOnce(ctx, target, p, round, spec.duration)
        measurements.get(p.workload.name)?.push(m)
        console.log(runLine(p.workload.name, m))
      }
    }
  }
  return measurements
}
