/**
 * The run's summary: medians of the rounds per workload and target, medians of the per-round ratios,
 * and the tables the bench prints (and a Markdown one ready for the README). Pure: no I/O.
 */
import type { Target } from './capture.js'
import type { Measurement } from './measure.js'
import { median } from './stats.js'
import type { WorkloadName } from './workloads.js'

export type TargetSummary =
  | Readonly<{
      rps: number
      p50Ms: number
      p99Ms: number
      non2xx: number
      errors: number
      cpuUsPerRequest: number
      systemUsPerRequest: number
      postgresUsPerRequest: number
    }>
  /** why it was not measured */
  | string

export type Ratios = Readonly<{
  /** data-api on PostgreSQL ÷ the hand-written endpoint */
  toHandWritten: number
  /** data-api ÷ pgbench running the bare query */
  toBare: number
  /** data-api ÷ pgbench replaying the pipelined statements the server sent */
  toPipelined: number
  /** the embedded backend ÷ the data-api on PostgreSQL */
  embeddedToServer: number
}>

export type Summary = Readonly<{
  name: WorkloadName
  title: string
  targets: Readonly<Record<Target, TargetSummary>>
  ratios: Ratios
}>

export function fmt(n: number | undefined, digits = 0): string {
  return n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits)
}

/** A run's rate and latencies, in the columns every run line uses. */
export function rateAndLatency(r: Readonly<{ rps: number; p50Ms: number; p99Ms: number }>): string {
  return `${fmt(r.rps).padStart(7)} req/s  p50 ${fmt(r.p50Ms, 2).padStart(6)} ms  p99 ${fmt(r.p99Ms, 2).padStart(7)} ms`
}

/** `  3 non-2xx, 1 errors` after a run line, or nothing when all went well. */
export function failures(r: Readonly<{ non2xx: number; errors: number }>): string {
  return r.non2xx + r.errors > 0 ? `  ${r.non2xx} non-2xx, ${r.errors} errors` : ''
}

/** The line printed after each measured run. */
export function runLine(name: string, m: Measurement): string {
  const cpu =
    (m.postgresUsPerRequest === undefined ? '' : `  postgres ${fmt(m.postgresUsPerRequest)} µs/req`) +
    (m.cpuUsPerRequest === undefined ? '' : `  ${m.target} ${fmt(m.cpuUsPerRequest)} µs/req (${fmt(m.systemUsPerRequest)} system)`)
  return `  ${name.padEnd(8)} ${m.target.padEnd(17)} ${rateAndLatency(m)}  busy ${fmt(m.machineBusy * 100)}%${cpu}${failures(m)}`
}

export function summarize(
  name: WorkloadName,
  title: string,
  status: Readonly<Record<Target, string>>,
  measurements: readonly Measurement[],
): Summary {
  const of = (target: Target): TargetSummary => {
    if (status[target] !== 'ok') return status[target]
    const ms = measurements.filter((m) => m.target === target)
    if (ms.length === 0) return 'not measured'
    const med = (pick: (m: Measurement) => number | undefined) => median(ms.map((m) => pick(m) ?? Number.NaN))
    return {
      rps: med((m) => m.rps),
      p50Ms: med((m) => m.p50Ms),
      p99Ms: med((m) => m.p99Ms),
      non2xx: ms.reduce((a, m) => a + m.non2xx, 0),
      errors: ms.reduce((a, m) => a + m.errors, 0),
      cpuUsPerRequest: med((m) => m.cpuUsPerRequest),
      systemUsPerRequest: med((m) => m.systemUsPerRequest),
      postgresUsPerRequest: med((m) => m.postgresUsPerRequest),
    }
  }
  const ratio = (a: Target, b: Target): number => {
    const rounds = [...new Set(measurements.map((m) => m.round))]
    return median(
      rounds.map((round) => {
        const x = measurements.find((m) => m.round === round && m.target === a)
        const y = measurements.find((m) => m.round === round && m.target === b)
        return x && y && y.rps > 0 ? x.rps / y.rps : Number.NaN
      }),
    )
  }
  const targets: Record<Target, TargetSummary> = {
    server: of('server'),
    'hand-written': of('hand-written'),
    'pgbench-bare': of('pgbench-bare'),
    'pgbench-pipelined': of('pgbench-pipelined'),
    embedded: of('embedded'),
  }
  return {
    name,
    title,
    targets,
    ratios: {
      toHandWritten: ratio('server', 'hand-written'),
      toBare: ratio('server', 'pgbench-bare'),
      toPipelined: ratio('server', 'pgbench-pipelined'),
      embeddedToServer: ratio('embedded', 'server'),
    },
  }
}

function measured(t: TargetSummary): Exclude<TargetSummary, string> | undefined {
  return typeof t === 'string' ? undefined : t
}

/** Right-aligned columns (the first left-aligned) under a header. */
export function columns(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)]
}

/** The status of a target that was left out on purpose (--no-embedded), not one that failed. */
export const NOT_RUN = 'not run'

/** req/s with a `!` when some answers failed, `failed`, or `–` when not run */
function rate(t: TargetSummary): string {
  const m = measured(t)
  if (!m) return typeof t === 'string' && t.startsWith(NOT_RUN) ? '–' : 'failed'
  return `${fmt(m.rps)}${m.non2xx + m.errors > 0 ? '!' : ''}`
}

function latency(t: TargetSummary): string {
  const m = measured(t)
  return m ? `${fmt(m.p50Ms, 2)} / ${fmt(m.p99Ms, 2)}` : ''
}

function cpu(t: TargetSummary, pick: 'cpuUsPerRequest' | 'systemUsPerRequest' | 'postgresUsPerRequest'): string {
  const m = measured(t)
  return m ? fmt(m[pick]) : ''
}

export function renderTables(summaries: readonly Summary[], embedded: boolean): string {
  const rates = columns(
    ['workload', 'data-api/s', 'p50 / p99 ms', 'hand/s', 'p50 / p99 ms', 'bare/s', 'pipelined/s', '÷ hand', '÷ bare', '÷ pipelined'],
    summaries.map((s) => [
      s.name,
      rate(s.targets.server),
      latency(s.targets.server),
      rate(s.targets['hand-written']),
      latency(s.targets['hand-written']),
      rate(s.targets['pgbench-bare']),
      rate(s.targets['pgbench-pipelined']),
      fmt(s.ratios.toHandWritten, 2),
      fmt(s.ratios.toBare, 2),
      fmt(s.ratios.toPipelined, 2),
    ]),
  )
  const cpus = columns(
    ['workload', 'data-api', 'of it kernel', 'hand-written', 'postgres: data-api', 'hand', 'bare', 'pipelined'],
    summaries.map((s) => [
      s.name,
      cpu(s.targets.server, 'cpuUsPerRequest'),
      cpu(s.targets.server, 'systemUsPerRequest'),
      cpu(s.targets['hand-written'], 'cpuUsPerRequest'),
      cpu(s.targets.server, 'postgresUsPerRequest'),
      cpu(s.targets['hand-written'], 'postgresUsPerRequest'),
      cpu(s.targets['pgbench-bare'], 'postgresUsPerRequest'),
      cpu(s.targets['pgbench-pipelined'], 'postgresUsPerRequest'),
    ]),
  )
  const embeddedRows = columns(
    ['workload', 'embedded/s', 'p50 / p99 ms', 'CPU µs/req', 'of it kernel', '÷ data-api on PostgreSQL'],
    summaries.map((s) => [
      s.name,
      rate(s.targets.embedded),
      latency(s.targets.embedded),
      cpu(s.targets.embedded, 'cpuUsPerRequest'),
      cpu(s.targets.embedded, 'systemUsPerRequest'),
      fmt(s.ratios.embeddedToServer, 2),
    ]),
  )
  const notes: string[] = []
  for (const s of summaries) {
    for (const [target, t] of Object.entries(s.targets)) {
      if (typeof t === 'string' && t.startsWith(NOT_RUN)) continue
      if (typeof t === 'string') notes.push(`  ${s.name} ${target}: ${t}`)
      else if (t.non2xx + t.errors > 0) notes.push(`  ${s.name} ${target}: ${t.non2xx} non-2xx answers, ${t.errors} errors (marked !)`)
    }
  }
  return [
    'Medians of the rounds. data-api: the server on PostgreSQL; hand: the hand-written endpoint; bare/pipelined: pgbench',
    'transactions/s of the bare query and of the statements the data-api sent (one transaction = one request).',
    '÷: medians of the per-round ratios of the data-api to each.',
    ...rates,
    '',
    'CPU µs per request: of the server process (tree), and of the whole PostgreSQL cluster while each target ran.',
    ...cpus,
    ...(embedded ? ['', 'Embedded backend (PGlite in the data-api process, same fixture; no PostgreSQL involved):', ...embeddedRows] : []),
    ...(notes.length > 0 ? ['', 'Not measured or with failures:', ...notes] : []),
  ].join('\n')
}

/** The README's "Latest results" table for this run, in Markdown. */
export function renderMarkdown(summaries: readonly Summary[]): string {
  const header =
    '| workload | data-api req/s | p50 / p99 ms | CPU µs/req | ÷ hand-written | ÷ pgbench bare | ÷ pgbench pipelined | embedded req/s | embedded p50 / p99 ms |'
  return [
    header,
    `|${header.split('|').slice(1, -1).map(() => '---').join('|')}|`,
    ...summaries.map(
      (s) =>
        `| ${s.title} | ${rate(s.targets.server)} | ${latency(s.targets.server)} | ${cpu(s.targets.server, 'cpuUsPerRequest')} | ` +
        `${fmt(s.ratios.toHandWritten, 2)} | ${fmt(s.ratios.toBare, 2)} | ${fmt(s.ratios.toPipelined, 2)} | ` +
        `${rate(s.targets.embedded)} | ${latency(s.targets.embedded)} |`,
    ),
  ].join('\n')
}
