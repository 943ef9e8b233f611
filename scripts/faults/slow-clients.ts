/**
 * Slow clients: some send their headers a byte at a time, some a body that never ends, some stop
 * half-way. Each gets 408 (or is closed) once the request timeout passes, and meanwhile the server
 * answers everyone else at once.
 */
import { connect } from 'node:net'
import type { ScenarioResult } from './scenario-result.js'

export type SlowClientsOptions = Readonly<{
  /** `http://host:port` of the server and the path of a cheap GET on it */
  url: string
  probePath: string
  /** the server's request timeout */
  requestTimeoutSeconds: number
  /** slow clients of each kind */
  perKind: number
}>

type Kind = 'headers a byte at a time' | 'body a byte at a time' | 'body never finished'

/** Opens a raw connection that behaves as `kind`; resolves with the status line it got (or '' when closed without one). */
function slowClient(url: string, path: string, kind: Kind, limitMs: number): Promise<{ status: string; ms: number }> {
  const { hostname, port } = new URL(url)
  const started = performance.now()
  return new Promise((resolve) => {
    let answer = ''
    let timer: NodeJS.Timeout | undefined
    const socket = connect(Number(port), hostname, () => {
      if (kind === 'headers a byte at a time') {
        socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n`)
        const rest = 'X-Slow: ' + 'a'.repeat(10_000)
        let i = 0
        timer = setInterval(() => socket.write(rest[i++ % rest.length] as string), 100)
      } else {
        socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n[`)
        if (kind === 'body a byte at a time') timer = setInterval(() => socket.write(' '), 100)
      }
    })
    const done = () => {
      clearInterval(timer)
      clearTimeout(limit)
      socket.destroy()
      resolve({ status: answer.split('\r\n')[0] ?? '', ms: performance.now() - started })
    }
    const limit = setTimeout(done, limitMs)
    socket.on('data', (c: Buffer) => {
      answer += c.toString()
      if (answer.includes('\r\n')) done()
    })
    socket.on('error', done)
    socket.on('close', done)
  })
}

export async function runSlowClients(label: string, options: SlowClientsOptions): Promise<ScenarioResult> {
  const kinds: Kind[] = ['headers a byte at a time', 'body a byte at a time', 'body never finished']
  const limitMs = options.requestTimeoutSeconds * 1000 + 5000
  const slow = Promise.all(kinds.flatMap((kind) => Array.from({ length: options.perKind }, () => slowClient(options.url, options.probePath, kind, limitMs).then((r) => ({ kind, ...r })))))
  // everyone else: one request after another, for as long as the slow clients hang on
  const probes: { status: number | 'network'; ms: number }[] = []
  let slowDone = false
  void slow.then(() => (slowDone = true))
  while (!slowDone) {
    const started = performance.now()
    try {
      const res = await fetch(`${options.url}${options.probePath}`, { signal: AbortSignal.timeout(10_000) })
      await res.arrayBuffer()
      probes.push({ status: res.status, ms: performance.now() - started })
    } catch {
      probes.push({ status: 'network', ms: performance.now() - started })
    }
    await new Promise((r) => setTimeout(r, 20))
  }
  const results = await slow
  const problems: string[] = []
  for (const kind of kinds) {
    const mine = results.filter((r) => r.kind === kind)
    const not408 = mine.filter((r) => !r.status.startsWith('HTTP/1.1 408'))
    if (not408.length) problems.push(`${not408.length} of ${mine.length} '${kind}' clients got ${JSON.stringify(not408[0]?.status)} instead of 408`)
  }
  const failedProbes = probes.filter((p) => p.status !== 200)
  if (failedProbes.length) problems.push(`${failedProbes.length} of ${probes.length} other requests failed (${JSON.stringify(failedProbes[0]?.status)})`)
  const slowest = Math.max(...probes.map((p) => p.ms))
  // generous: the point is that nobody waits for the slow clients' timeout
  if (slowest > 1000) problems.push(`another request waited ${slowest.toFixed(0)} ms`)
  const closedAfter = results.map((r) => r.ms).sort((a, b) => a - b)
  return {
    name: `Slow clients on ${label}`,
    passed: problems.length === 0 && probes.length > 0,
    figures: {
      'slow clients': `${results.length} (${options.perKind} of each: ${kinds.join(', ')}), request timeout ${options.requestTimeoutSeconds} s`,
      '408 after': `${((closedAfter[0] ?? 0) / 1000).toFixed(1)}-${((closedAfter.at(-1) ?? 0) / 1000).toFixed(1)} s`,
      'other requests meanwhile': `${probes.length}, all 200: ${failedProbes.length === 0 ? 'yes' : 'NO'}, slowest ${slowest.toFixed(0)} ms`,
    },
    problems,
  }
}
