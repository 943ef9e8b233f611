/**
 * Where a V8 CPU profile's time goes, in the split issue 17 asks for: HTTP parsing, routing, JWT,
 * request parsing and planning, SQL text, the pg protocol, the response, GC (and the rest: socket
 * I/O, the event loop, PGlite, native code). Pure: takes the parsed .cpuprofile.
 *
 * A sample belongs to the nearest frame, from the sampled function up its stack, that names an area:
 * the project's own files by folder, a package by name, and the few Node modules that are one job
 * (node:_http_common is HTTP parsing, node:_http_outgoing the response). So `writev` under pg's
 * connection counts as pg protocol and under ServerResponse.end as response; generic Node frames
 * (streams, events, net) only decide when nothing above them does.
 */

export type Frame = Readonly<{ functionName: string; url: string; lineNumber: number }>
export type ProfileNode = Readonly<{ id: number; callFrame: Frame; children?: readonly number[] }>
export type CpuProfile = Readonly<{ nodes: readonly ProfileNode[]; samples: readonly number[]; timeDeltas: readonly number[]; startTime: number }>

export const AREAS = [
  'HTTP parsing',
  'routing, server glue (src/server)',
  'JWT, auth (src/auth, jose)',
  'request parsing (src/rest/api-request)',
  'planning (src/rest/plan, shape cache, pipeline)',
  'SQL text (src/rest/sql)',
  'pg protocol (src/db, pg)',
  'response (src/rest/response, http writes)',
  'PGlite (embedded database)',
  'socket I/O',
  'event loop, promises, timers',
  'garbage collection',
  'native, other',
] as const
export type Area = (typeof AREAS)[number]

/** The profiled server runs from dist/: its frames are named after their src/ files. */
export function sourceUrl(url: string): string {
  return url.includes('/node_modules/') ? url : url.replace(/\/dist\/(?=[^/]+(\/|\.js$))/, '/src/')
}

const PROJECT: readonly (readonly [string, Area])[] = [
  ['/src/server/', 'routing, server glue (src/server)'],
  ['/src/auth/', 'JWT, auth (src/auth, jose)'],
  ['/src/rest/api-request/', 'request parsing (src/rest/api-request)'],
  ['/src/rest/sql/', 'SQL text (src/rest/sql)'],
  ['/src/rest/response/', 'response (src/rest/response, http writes)'],
  ['/src/rest/', 'planning (src/rest/plan, shape cache, pipeline)'],
  ['/src/db/', 'pg protocol (src/db, pg)'],
  ['/src/errors/', 'response (src/rest/response, http writes)'],
  ['/node_modules/jose/', 'JWT, auth (src/auth, jose)'],
  ['/node_modules/pg', 'pg protocol (src/db, pg)'],
  ['/node_modules/@electric-sql/pglite', 'PGlite (embedded database)'],
]

/** The area a frame decides on its own, or undefined when it belongs to whatever called it. */
export function decisiveArea(frame: Frame): Area | undefined {
  const { url, functionName: name } = frame
  if (name === '(garbage collector)') return 'garbage collection'
  if (url.startsWith('wasm://')) return 'PGlite (embedded database)'
  for (const [part, area] of PROJECT) if (url.includes(part)) return area
  if (url === 'node:_http_common' || url === 'node:_http_incoming') return 'HTTP parsing'
  if (url === 'node:_http_outgoing') return 'response (src/rest/response, http writes)'
  if (url === 'node:_http_server') {
    return /writeHead|ServerResponse|resOnFinish|_finish|end|write/i.test(name) ? 'response (src/rest/response, http writes)' : 'HTTP parsing'
  }
  return undefined
}

/** The area of a frame that only decides when nothing on the stack above it did. */
function fallbackArea(frame: Frame): Area {
  const { url, functionName: name } = frame
  if (url === 'node:net' || url.startsWith('node:internal/stream_base_commons') || /^(writev|writeBuffer|writeUtf8String|readStop|readStart)$/.test(name)) {
    return 'socket I/O'
  }
  if (/^node:(internal\/process\/task_queues|internal\/timers|timers|internal\/async_hooks)/.test(url) || /^(processTicksAndRejections|runMicrotasks)$/.test(name)) {
    return 'event loop, promises, timers'
  }
  return 'native, other'
}

export type AreaSplit = Readonly<{
  /** sampled time that was not idle, µs */
  busyUs: number
  byArea: ReadonlyMap<Area, number>
  /** self time per function (`name file:line`), µs */
  byFunction: ReadonlyMap<string, number>
}>

/**
 * The split of the samples taken between `fromUs` and `toUs` (on the profile's clock, which is the
 * machine's monotonic clock: process.hrtime in any process), idle time left out.
 */
export function splitProfile(profile: CpuProfile, fromUs = -Infinity, toUs = Infinity): AreaSplit {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const areaOf = new Map<number, Area>()
  const area = (id: number): Area => {
    const known = areaOf.get(id)
    if (known) return known
    let found: Area | undefined
    for (let cur: number | undefined = id; cur !== undefined && found === undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)?.callFrame
      if (frame) found = decisiveArea({ ...frame, url: sourceUrl(frame.url) })
    }
    const leaf = byId.get(id)?.callFrame
    const result = found ?? (leaf ? fallbackArea(leaf) : 'native, other')
    areaOf.set(id, result)
    return result
  }
  const byArea = new Map<Area, number>()
  const byFunction = new Map<string, number>()
  let busyUs = 0
  let t = profile.startTime
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0
    t += delta
    const frame = byId.get(id)?.callFrame
    if (t < fromUs || t > toUs || !frame || frame.functionName === '(idle)') return
    busyUs += delta
    const a = area(id)
    byArea.set(a, (byArea.get(a) ?? 0) + delta)
    const label = `${frame.functionName || '(anonymous)'} ${shortUrl(sourceUrl(frame.url))}:${frame.lineNumber + 1}`
    byFunction.set(label, (byFunction.get(label) ?? 0) + delta)
  })
  return { busyUs, byArea, byFunction }
}

export function shortUrl(url: string): string {
  const i = url.indexOf('/node_modules/')
  if (i >= 0) return url.slice(i + 1)
  const s = url.indexOf('/src/')
  if (s >= 0) return url.slice(s + 1)
  return url.replace(/^file:\/\//, '') || '(native)'
}
