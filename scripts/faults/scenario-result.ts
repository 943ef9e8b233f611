/** What a fault scenario reports: pass or fail, its figures, and what went wrong. */
export type ScenarioResult = Readonly<{
  name: string
  passed: boolean
  figures: Readonly<Record<string, string>>
  problems: readonly string[]
  recoveryMs?: number
}>

/** The summary table: one line per scenario, PASS/FAIL, then its figures and problems indented. */
export function renderSummary(results: readonly ScenarioResult[]): string {
  const width = Math.max(...results.map((r) => r.name.length))
  const lines = ['', 'Fault tests', '']
  for (const r of results) {
    lines.push(`${r.passed ? 'PASS' : 'FAIL'}  ${r.name.padEnd(width)}`)
    for (const [k, v] of Object.entries(r.figures)) lines.push(`        ${k}: ${v}`)
    for (const p of r.problems) lines.push(`        problem: ${p}`)
  }
  const failed = results.filter((r) => !r.passed).length
  lines.push('', failed === 0 ? `all ${results.length} scenarios passed` : `${failed} of ${results.length} scenarios FAILED`)
  return lines.join('\n')
}
