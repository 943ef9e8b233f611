/**
 * Metric families and their Prometheus text exposition (format 0.0.4). Families are plain data so a
 * worker can send its own to the primary of `serve --workers N`, which labels and merges them.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram'

export type Sample = Readonly<{
  /** histogram series: `_bucket`, `_sum`, `_count` */
  suffix?: '_bucket' | '_sum' | '_count'
  labels?: Readonly<Record<string, string>>
  value: number
}>

export type MetricFamily = Readonly<{ name: string; help: string; type: MetricType; samples: readonly Sample[] }>

export function renderMetrics(families: readonly MetricFamily[]): string {
  const lines: string[] = []
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`)
    for (const s of family.samples) lines.push(`${family.name}${s.suffix ?? ''}${renderLabels(s.labels)} ${renderValue(s.value)}`)
  }
  return `${lines.join('\n')}\n`
}

/**
 * One list of families from several processes' lists: each sample gets its process's labels, and
 * families of the same name are joined (the exposition format wants each family in one block).
 */
export function mergeFamilies(processes: readonly Readonly<{ labels: Readonly<Record<string, string>>; families: readonly MetricFamily[] }>[]): MetricFamily[] {
  const merged = new Map<string, { name: string; help: string; type: MetricType; samples: Sample[] }>()
  for (const { labels, families } of processes) {
    for (const family of families) {
      let target = merged.get(family.name)
      if (!target) {
        target = { name: family.name, help: family.help, type: family.type, samples: [] }
        merged.set(family.name, target)
      }
      for (const s of family.samples) target.samples.push({ ...s, labels: { ...labels, ...s.labels } })
    }
  }
  return [...merged.values()]
}

/** Cumulative histogram samples from per-bucket counts (counts[i] for values ≤ bounds[i], the last for +Inf). */
export function histogramSamples(bounds: readonly number[], counts: readonly number[], sum: number, labels?: Readonly<Record<string, string>>): Sample[] {
  const samples: Sample[] = []
  let cumulative = 0
  bounds.forEach((bound, i) => {
    cumulative += counts[i] ?? 0
    samples.push({ suffix: '_bucket', labels: { ...labels, le: String(bound) }, value: cumulative })
  })
  cumulative += counts[bounds.length] ?? 0
  samples.push({ suffix: '_bucket', labels: { ...labels, le: '+Inf' }, value: cumulative })
  samples.push({ suffix: '_sum', labels, value: sum })
  samples.push({ suffix: '_count', labels, value: cumulative })
  return samples
}

function renderLabels(labels: Readonly<Record<string, string>> | undefined): string {
  if (!labels) return ''
  const entries = Object.entries(labels)
  if (entries.length === 0) return ''
  return `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`
}

function renderValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Number.POSITIVE_INFINITY) return '+Inf'
  if (value === Number.NEGATIVE_INFINITY) return '-Inf'
  return String(value)
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')
}

function escapeLabel(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
}
