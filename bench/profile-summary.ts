/**
 * Summarises a V8 .cpuprofile (from `npm run bench -- --cpu-prof`, which prints the same split per
 * workload): self time by area (profile-areas.ts), by function and by file.
 *
 *   node --import tsx bench/profile-summary.ts <file.cpuprofile> [--top 30] [--skip <seconds>]
 *
 * --skip leaves out the first seconds (start-up: module loading and compilation). Percentages are
 * of the time the thread was not idle.
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { splitProfile, type CpuProfile } from './profile-areas.js'

const { values, positionals } = parseArgs({ options: { top: { type: 'string' }, skip: { type: 'string' } }, allowPositionals: true })
const file = positionals[0]
if (!file) {
  console.error('usage: bench/profile-summary.ts <file.cpuprofile> [--top 30] [--skip <seconds>]')
  process.exit(2)
}
const top = Number(values.top ?? 30)
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
const split = splitProfile(profile, profile.startTime + Number(values.skip ?? 0) * 1e6)

const byFile = new Map<string, number>()
for (const [label, us] of split.byFunction) {
  const where = label.slice(label.lastIndexOf(' ') + 1).replace(/:\d+$/, '')
  byFile.set(where, (byFile.get(where) ?? 0) + us)
}

function print(title: string, map: ReadonlyMap<string, number>): void {
  console.log(`\n${title}`)
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * us) / split.busyUs).toFixed(1).padStart(6)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`)
  }
}

console.log(`${file}: ${(split.busyUs / 1e6).toFixed(1)} s not idle`)
print('Time by area (each sample goes to the nearest frame on its stack that names an area)', split.byArea)
print('Self time by function', split.byFunction)
print('Self time by file', byFile)
