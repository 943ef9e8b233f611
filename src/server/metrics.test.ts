import { describe, expect, it } from 'vitest'
import { histogramSamples, mergeFamilies, renderMetrics, type MetricFamily } from './metrics.js'

describe('renderMetrics', () => {
  it('writes HELP and TYPE once per family, then its samples with escaped labels', () => {
    const families: MetricFamily[] = [
      { name: 'a_total', help: 'Things\nand a \\ slash', type: 'counter', samples: [{ labels: { k: 'say "hi"\n' }, value: 3 }, { value: 0.5 }] },
      { name: 'b', help: 'A gauge', type: 'gauge', samples: [{ value: Number.NaN }, { labels: {}, value: Number.POSITIVE_INFINITY }] },
    ]
    expect(renderMetrics(families)).toBe(
      [
        '# HELP a_total Things\\nand a \\\\ slash',
        '# TYPE a_total counter',
        'a_total{k="say \\"hi\\"\\n"} 3',
        'a_total 0.5',
        '# HELP b A gauge',
        '# TYPE b gauge',
        'b NaN',
        'b +Inf',
        '',
      ].join('\n'),
    )
  })

  it('writes histograms as cumulative buckets, sum and count', () => {
    const family: MetricFamily = { name: 'd_seconds', help: 'Durations', type: 'histogram', samples: histogramSamples([0.1, 1], [2, 1, 4], 9.5) }
    expect(renderMetrics([family])).toBe(
      [
        '# HELP d_seconds Durations',
        '# TYPE d_seconds histogram',
        'd_seconds_bucket{le="0.1"} 2',
        'd_seconds_bucket{le="1"} 3',
        'd_seconds_bucket{le="+Inf"} 7',
        'd_seconds_sum 9.5',
        'd_seconds_count 7',
        '',
      ].join('\n'),
    )
  })
})

describe('mergeFamilies', () => {
  it('joins families of the same name and labels each sample with its process', () => {
    const one: MetricFamily[] = [
      { name: 'r_total', help: 'R', type: 'counter', samples: [{ labels: { status: '200' }, value: 5 }] },
      { name: 'g', help: 'G', type: 'gauge', samples: [{ value: 1 }] },
    ]
    const two: MetricFamily[] = [{ name: 'r_total', help: 'R', type: 'counter', samples: [{ labels: { status: '404' }, value: 2 }] }]
    expect(mergeFamilies([{ labels: { worker: '1' }, families: one }, { labels: { worker: '2' }, families: two }])).toEqual([
      {
        name: 'r_total',
        help: 'R',
        type: 'counter',
        samples: [
          { labels: { worker: '1', status: '200' }, value: 5 },
          { labels: { worker: '2', status: '404' }, value: 2 },
        ],
      },
      { name: 'g', help: 'G', type: 'gauge', samples: [{ labels: { worker: '1' }, value: 1 }] },
    ])
  })
})
