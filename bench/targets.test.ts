import { describe, expect, it } from 'vitest'
import { checkTargets, renderTargets } from './targets.js'

const fast = { rps: 9000, p50Ms: 3, p99Ms: 9, non2xx: 0, errors: 0 }

describe('checkTargets', () => {
  it("holds single-row and list reads to 3× hand-written and 0.5× pgbench pipelined, writes and RPC to 2×, both backends to p99 ≤ 5× p50 and no failures, the embedded row by key to 1,500 req/s", () => {
    const checks = checkTargets(
      [
        { name: 'get-one', server: fast, embedded: { ...fast, rps: 1499.6 }, toHandWritten: 3.1, toPipelined: 0.49 },
        { name: 'embed', server: fast, embedded: fast, toHandWritten: 1.2, toPipelined: 0.2 },
        { name: 'insert', server: { ...fast, p99Ms: 16, non2xx: 2 }, embedded: undefined, toHandWritten: 2, toPipelined: 0.1 },
      ],
      [
        { backend: 'PostgreSQL', flat: true, growth: 0.033, startMb: 120, endMb: 124 },
        { backend: 'embedded', flat: false, growth: 0.25, startMb: 400, endMb: 500 },
      ],
      true,
    )
    expect(checks).toEqual([
      { what: 'get-one: ≥ 3× hand-written', met: true, detail: '3.10×' },
      { what: 'get-one: ≥ 0.5× pgbench pipelined', met: false, detail: '0.49×' },
      { what: 'get-one: p99 ≤ 5× p50', met: true, detail: '3.0×' },
      { what: 'get-one: no errors, no non-2xx', met: true, detail: '0' },
      { what: 'get-one embedded: p99 ≤ 5× p50', met: true, detail: '3.0×' },
      { what: 'get-one embedded: no errors, no non-2xx', met: true, detail: '0' },
      { what: 'get-one embedded: ≥ 1500 req/s', met: false, detail: '1500 req/s' },
      { what: 'embed: p99 ≤ 5× p50', met: true, detail: '3.0×' },
      { what: 'embed: no errors, no non-2xx', met: true, detail: '0' },
      { what: 'embed embedded: p99 ≤ 5× p50', met: true, detail: '3.0×' },
      { what: 'embed embedded: no errors, no non-2xx', met: true, detail: '0' },
      { what: 'insert: ≥ 2× hand-written', met: true, detail: '2.00×' },
      { what: 'insert: p99 ≤ 5× p50', met: false, detail: '5.3×' },
      { what: 'insert: no errors, no non-2xx', met: false, detail: '2' },
      { what: 'insert embedded: measured', met: false, detail: 'not measured' },
      { what: 'PostgreSQL: memory flat over the soak', met: true, detail: '120 → 124 MB (+3.3%)' },
      { what: 'embedded: memory flat over the soak', met: false, detail: '400 → 500 MB (+25.0%)' },
    ])
    expect(renderTargets(checks.slice(0, 2))).toBe(
      ['Targets: 1 of 2 missed', '  met     get-one: ≥ 3× hand-written         3.10×', '  MISSED  get-one: ≥ 0.5× pgbench pipelined  0.49×'].join('\n'),
    )
  })

  it('leaves the embedded backend out when it did not run, and says when a ratio was not measured', () => {
    const checks = checkTargets([{ name: 'rpc', server: undefined, embedded: undefined, toHandWritten: Number.NaN, toPipelined: Number.NaN }], [], false)
    expect(checks).toEqual([
      { what: 'rpc: ≥ 2× hand-written', met: false, detail: 'not measured' },
      { what: 'rpc: measured', met: false, detail: 'not measured' },
    ])
  })
})
