/**
 * Summarises a V8 .cpuprofile (from `npm run bench -- --cpu-prof`): self time per function and
 * per file, and total (inclusive) time of the project's own functions.
 *
 *   node --import tsx bench/profile-summary.ts <file.cpuprofile> [--top 30] [--skip <seconds>]
 *
 * --skip leaves out the first seconds (start-up: module loading and compilation). Percentages are
 * of the time the thread was not idle.
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

type Frame = { functionName: string; url: string; lineNumber: number }
type Node = { id: number; callFrame: Frame; children?: number[] }
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] }

const { values, positionals } = parseArgs({ options: { top: { type: 'string' }, skip: { type: 'string' } }, allowPositionals: true })
const file = positionals[0]
if (!file) {
  console.error('usage: bench/profile-summary.ts <file.cpuprofile> [--top 30] [--skip <seconds>]')
  process.exit(2)
}
const top = Number(values.top ?? 30)
const skipUs = Number(values.skip ?? 0) * 1e6
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
// the bench profiles the compiled server: name its files after their sources (dist/x.js → src/x.js)
for (const n of profile.nodes) {
  const { url } = n.callFrame
  if (!url.includes('/node_modules/')) n.callFrame.url = url.replace(/\/dist\/(?=[^/]+(\/|\.js$))/, '/src/')
}
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const parent = new Map<number, number>()
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)

const selfUs = new Map<number, number>()
let elapsed = 0
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0
  elapsed += delta
  if (elapsed < skipUs || byId.get(id)?.callFrame.functionName === '(idle)') return
  selfUs.set(id, (selfUs.get(id) ?? 0) + delta)
})
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0)

function short(url: string): string {
  const i = url.indexOf('/node_modules/')
  if (i >= 0) return url.slice(i + 1)
  const s = url.indexOf('/src/')
  if (s >= 0) return url.slice(s + 1)
  return url.replace(/^file:\/\//, '') || '(native)'
}
const label = (f: Frame) => `${f.functionName || '(anonymous)'} ${short(f.url)}:${f.lineNumber + 1}`

/** A coarse bucket for a frame: which layer of the request path its self time belongs to. */
function area(f: Frame): string {
  const { url, functionName: name } = f
  if (name === 'writev' || name === 'writeBuffer' || (name.startsWith('write') && url === '')) return 'socket writes (syscalls)'
  if (name === '(garbage collector)') return 'garbage collector'
  for (const [part, label] of [
    ['/src/rest/api-request/', 'src: parse request'],
    ['/src/rest/plan/', 'src: plan'],
    ['/src/rest/sql/', 'src: build SQL'],
    ['/src/rest/response/', 'src: build response'],
    ['/src/rest/', 'src: rest pipeline'],
    ['/src/db/', 'src: db (batch, pool glue)'],
    ['/src/auth/', 'src: auth'],
    ['/src/server/', 'src: http routing/writing'],
    ['/src/', 'src: other'],
    ['/node_modules/pg', 'pg driver'],
    ['/node_modules/jose/', 'jose'],
    ['/node_modules/', 'other packages'],
  ] as const) {
    if (url.includes(part)) return label
  }
  if (url.startsWith('node:')) return `node: ${url.slice(5).replace(/^internal\//, '').split('/')[0] ?? ''}`
  return name || '(native)'
}

const selfByArea = new Map<string, number>()
const selfByFn = new Map<string, number>()
const selfByFile = new Map<string, number>()
const inclusive = new Map<string, number>()
for (const [id, us] of selfUs) {
  const node = byId.get(id)
  if (!node) continue
  const f = node.callFrame
  selfByFn.set(label(f), (selfByFn.get(label(f)) ?? 0) + us)
  selfByArea.set(area(f), (selfByArea.get(area(f)) ?? 0) + us)
  const fileKey = f.url ? short(f.url) : f.functionName
  selfByFile.set(fileKey, (selfByFile.get(fileKey) ?? 0) + us)
  // inclusive time: every distinct function on the stack gets the sample once
  const seen = new Set<string>()
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const frame = byId.get(cur)?.callFrame
    if (!frame) break
    const key = label(frame)
    if (seen.has(key)) continue
    seen.add(key)
    inclusive.set(key, (inclusive.get(key) ?? 0) + us)
  }
}

function print(title: string, map: Map<string, number>, filter: (k: string) => boolean = () => true): void {
  console.log(`\n${title}`)
  for (const [k, us] of [...map].filter(([k]) => filter(k)).sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * us) / totalUs).toFixed(1).padStart(6)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`)
  }
}

console.log(`${file}: ${(totalUs / 1e6).toFixed(1)} s not idle (of ${(elapsed / 1e6).toFixed(1)} s)`)
print('Self time by area', selfByArea)
print('Self time by function', selfByFn)
print('Self time by file', selfByFile)
print('Inclusive time, project code (src/)', inclusive, (k) => k.includes(' src/'))
