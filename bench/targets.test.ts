import { describe, expect, it } from 'vitest'
import { checkTargets, renderTargets } from './targets.js'

const server = { p50Ms: 3, p99Ms: 9, non2xx: 0, errors: 0 }

describe('checkTargets', () => {
  it('holds reads to 2× hand-written and 0.3× pgbench, writes to 1.5×, every workload to p99 ≤ 5× p50 and no failures', () => {
    const checks = checkTargets(
      [
        { name: 'get-one', server, serverToPgbench: 0.29, serverToHandWritten: 3.1 },
        { name: 'insert', server: { ...server, p99Ms: 16, non2xx: 2 }, serverToPgbench: 0.2, serverToHandWritten: 1.5 },
        { name: 'rpc', server: undefined, serverToPgbench: Number.NaN, serverToHandWritten: Number.NaN },
      ],
      { flat: true, growth: 0.033 },
    )
    expect(checks).toEqual([
      { what: 'get-one: server ≥ 2× hand-written', met: true, detail: '3.100×' },
      { what: 'get-one: server ≥ 0.3× pgbench', met: false, detail: '0.290×' },
      { what: 'get-one: p99 ≤ 5× p50', met: true, detail: '3.0×' },
      { what: 'get-one: no errors, no non-2xx', met: true, detail: '0' },
      { what: 'insert: server ≥ 1.5× hand-written', met: true, detail: '1.500×' },
      { what: 'insert: p99 ≤ 5× p50', met: false, detail: '5.3×' },
      { what: 'insert: no errors, no non-2xx', met: false, detail: '2' },
      { what: 'rpc: server ≥ 1.5× hand-written', met: false, detail: 'not measured' },
      { what: 'rpc: server measured', met: false, detail: 'not measured' },
      { what: 'memory flat over the soak', met: true, detail: '+3.3%' },
    ])
    expect(renderTargets(checks.slice(0, 2))).toBe(
      ['Targets: 1 of 2 missed', '  met     get-one: server ≥ 2× hand-written  3.100×', '  MISSED  get-one: server ≥ 0.3× pgbench     0.290×'].join('\n'),
    )
  })
})
