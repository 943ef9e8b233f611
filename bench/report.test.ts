import { describe, expect, it } from 'vitest'
import type { Target } from './capture.js'
import type { Measurement } from './measure.js'
import { columns, renderMarkdown, renderTables, summarize } from './report.js'

function m(target: Target, round: number, rps: number, extra: Partial<Measurement> = {}): Measurement {
  return {
    target,
    round,
    rps,
    p50Ms: 2,
    p99Ms: 8,
    requests: rps * 10,
    non2xx: 0,
    errors: 0,
    cpuUsPerRequest: target.startsWith('pgbench') ? undefined : 100,
    systemUsPerRequest: target.startsWith('pgbench') ? undefined : 20,
    postgresUsPerRequest: target === 'embedded' ? undefined : 50,
    machineBusy: 1,
    ...extra,
  }
}

const ok = { server: 'ok', 'hand-written': 'ok', 'pgbench-bare': 'ok', 'pgbench-pipelined': 'ok', embedded: 'ok' } as const

describe('summarize', () => {
  it('takes the medians of the rounds, and the ratios as medians of the per-round ratios', () => {
    const ms = [
      m('server', 1, 9000, { p99Ms: 30 }),
      m('hand-written', 1, 3000),
      m('pgbench-bare', 1, 30000),
      m('pgbench-pipelined', 1, 18000),
      m('embedded', 1, 1500),
      m('server', 2, 6000, { non2xx: 1 }),
      m('hand-written', 2, 1500),
      m('pgbench-bare', 2, 24000),
      m('pgbench-pipelined', 2, 15000),
      m('embedded', 2, 1200),
      m('server', 3, 8000, { p99Ms: 10 }),
      m('hand-written', 3, 2000),
      m('pgbench-bare', 3, 20000),
      m('pgbench-pipelined', 3, 20000),
      m('embedded', 3, 1600),
    ]
    const s = summarize('get-one', 'row by primary key', ok, ms)
    expect(s.targets.server).toEqual({ rps: 8000, p50Ms: 2, p99Ms: 10, non2xx: 1, errors: 0, cpuUsPerRequest: 100, systemUsPerRequest: 20, postgresUsPerRequest: 50 })
    expect(s.ratios).toEqual({ toHandWritten: 4, toBare: 0.3, toPipelined: 0.4, embeddedToServer: 0.2 })
    expect(typeof s.targets.embedded === 'object' && s.targets.embedded.postgresUsPerRequest).toBeNaN()
  })

  it('keeps why a target was not measured', () => {
    const s = summarize('rpc', 'rpc', { ...ok, embedded: 'not run (--no-embedded)', 'pgbench-bare': 'failed: syntax error' }, [m('server', 1, 100)])
    expect(s.targets.embedded).toBe('not run (--no-embedded)')
    expect(s.targets['pgbench-bare']).toBe('failed: syntax error')
    expect(s.targets['hand-written']).toBe('not measured')
    expect(s.ratios.toHandWritten).toBeNaN()
  })
})

describe('tables', () => {
  const summaries = [
    summarize('get-one', 'row by primary key', ok, [m('server', 1, 9000), m('hand-written', 1, 3000), m('pgbench-bare', 1, 30000), m('pgbench-pipelined', 1, 18000), m('embedded', 1, 1500)]),
    summarize('rpc', 'set-returning RPC', { ...ok, embedded: 'not run (--no-embedded)' }, [m('server', 1, 4000, { errors: 3 }), m('hand-written', 1, 2000)]),
  ]

  it('aligns columns, the first to the left', () => {
    expect(columns(['name', 'n'], [['a', '1'], ['bbb', '22']])).toEqual(['name   n', 'a      1', 'bbb   22'])
  })

  it('print rates, latencies, ratios and CPU, mark failures and say why a target is missing', () => {
    const text = renderTables(summaries, true)
    expect(text).toContain(
      [
        'workload  data-api/s  p50 / p99 ms  hand/s  p50 / p99 ms  bare/s  pipelined/s  ÷ hand  ÷ bare  ÷ pipelined',
        'get-one         9000   2.00 / 8.00    3000   2.00 / 8.00   30000        18000    3.00    0.30         0.50',
        'rpc            4000!   2.00 / 8.00    2000   2.00 / 8.00  failed       failed    2.00       –            –',
      ].join('\n'),
    )
    expect(text).toContain(
      [
        'workload  embedded/s  p50 / p99 ms  CPU µs/req  of it kernel  ÷ data-api on PostgreSQL',
        'get-one         1500   2.00 / 8.00         100            20                      0.17',
        'rpc                –                                                                 –',
      ].join('\n'),
    )
    expect(text).toContain('Not measured or with failures:\n  rpc server: 0 non-2xx answers, 3 errors (marked !)\n  rpc pgbench-bare: not measured\n  rpc pgbench-pipelined: not measured')
    expect(renderTables(summaries, false)).not.toContain('Embedded backend')
  })

  it('render the README table in Markdown', () => {
    expect(renderMarkdown(summaries).split('\n')).toEqual([
      '| workload | data-api req/s | p50 / p99 ms | CPU µs/req | ÷ hand-written | ÷ pgbench bare | ÷ pgbench pipelined | embedded req/s | embedded p50 / p99 ms |',
      '|---|---|---|---|---|---|---|---|---|',
      '| row by primary key | 9000 | 2.00 / 8.00 | 100 | 3.00 | 0.30 | 0.50 | 1500 | 2.00 / 8.00 |',
      '| set-returning RPC | 4000! | 2.00 / 8.00 | 100 | 2.00 | – | – | – |  |',
    ])
  })
})
