/**
 * The soak: load a data-api alone for a minute, cycling through the workloads in short slices, and
 * sample the resident memory of all its processes once a second. Memory is flat when the median of
 * the last quarter of the samples is within FLAT_GROWTH of the first quarter's: the server has run
 * every workload in warm-up and rounds before, so a heap or cache that still grows is a leak.
 */
import { median } from './stats.js'
import type { LoadResult } from './load.js'

export const FLAT_GROWTH = 0.1
/**
 * Short slices, so each quarter of the soak sees every workload: V8's heap follows a sawtooth whose
 * height depends on the workload (100-row bodies more than single rows), and 5 s slices made a quarter
 * of embeds look like growth over a quarter of single-row reads.
 */
const SLICE_SECONDS = 2

export type SoakResult = Readonly<{
  seconds: number
  requests: number
  non2xx: number
  errors: number
  /** [seconds since the soak began, resident MB] once a second */
  rssMb: readonly (readonly [number, number])[]
  startMb: number
  endMb: number
  /** endMb / startMb - 1 */
  growth: number
  flat: boolean
}>

export type SoakSpec<W> = Readonly<{
  seconds: number
  workloads: readonly W[]
  /** runs one slice of load on the server, resolving when it is over */
  runSlice: (workload: W, seconds: number) => Promise<LoadResult>
  /** the server's resident memory now, in bytes */
  rssBytes: () => number
  onSlice?: (workload: W, result: LoadResult) => void
}>

export async function runSoak<W>(spec: SoakSpec<W>): Promise<SoakResult> {
  const began = Date.now()
  const elapsed = () => (Date.now() - began) / 1000
  const samples: [number, number][] = []
  const sample = () => samples.push([Number(elapsed().toFixed(1)), Number((spec.rssBytes() / 2 ** 20).toFixed(1))])
  sample()
  const timer = setInterval(sample, 1000)
  let requests = 0
  let non2xx = 0
  let errors = 0
  try {
    for (let i = 0; elapsed() < spec.seconds - 0.5; i++) {
      const workload = spec.workloads[i % spec.workloads.length] as W
      const seconds = Math.max(1, Math.min(SLICE_SECONDS, Math.round(spec.seconds - elapsed())))
      const r = await spec.runSlice(workload, seconds)
      requests += r.requests
      non2xx += r.non2xx
      errors += r.errors
      spec.onSlice?.(workload, r)
    }
  } finally {
    clearInterval(timer)
  }
  sample()
  const quarter = Math.max(1, Math.floor(samples.length / 4))
  const startMb = median(samples.slice(0, quarter).map(([, mb]) => mb))
  const endMb = median(samples.slice(-quarter).map(([, mb]) => mb))
  const growth = endMb / startMb - 1
  return { seconds: elapsed(), requests, non2xx, errors, rssMb: samples, startMb, endMb, growth, flat: growth <= FLAT_GROWTH }
}

/** The soak's summary line: requests, failures, and the memory at its start and end. */
export function soakLine(label: string, s: SoakResult): string {
  const problems = s.non2xx + s.errors > 0 ? `${s.non2xx} non-2xx, ${s.errors} errors` : 'no errors, no non-2xx'
  const sign = s.growth >= 0 ? '+' : ''
  return (
    `Soak of ${label}, ${s.seconds.toFixed(0)} s: ${s.requests} requests (${(s.requests / s.seconds).toFixed(0)} req/s), ${problems}; ` +
    `RSS ${s.startMb.toFixed(0)} MB at the start (first quarter), ${s.endMb.toFixed(0)} MB at the end (last quarter), ` +
    `${sign}${(s.growth * 100).toFixed(1)}%: ${s.flat ? 'flat' : `GROWING (more than ${FLAT_GROWTH * 100}%)`}`
  )
}
