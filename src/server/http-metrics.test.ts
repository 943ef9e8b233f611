import { describe, expect, it } from 'vitest'
import { DURATION_BOUNDS, HttpMetrics } from './http-metrics.js'

describe('HttpMetrics', () => {
  it('counts answers by method and status, folding unknown methods into "other"', () => {
    const m = new HttpMetrics()
    m.observe('GET', 200, 0.001)
    m.observe('GET', 200, 0.002)
    m.observe('POST', 201, 0.003)
    m.observe('BREW', 405, 0.001)
    m.observe(undefined, 400, 0.001)
    expect(m.families()[0]).toEqual({
      name: 'data_api_http_requests_total',
      help: 'HTTP requests answered, by method and status',
      type: 'counter',
      samples: [
        { labels: { method: 'GET', status: '200' }, value: 2 },
        { labels: { method: 'POST', status: '201' }, value: 1 },
        { labels: { method: 'other', status: '400' }, value: 1 },
        { labels: { method: 'other', status: '405' }, value: 1 },
      ],
    })
  })

  it('puts each duration in the first bucket whose bound it does not exceed', () => {
    const m = new HttpMetrics()
    m.observe('GET', 200, 0.0005) // on the first bound
    m.observe('GET', 200, 0.0007)
    m.observe('GET', 200, 60) // past the last bound: only +Inf
    const histogram = m.families()[1]!
    const bucket = (le: string) => histogram.samples.find((s) => s.suffix === '_bucket' && s.labels?.le === le)?.value
    expect(bucket('0.0005')).toBe(1)
    expect(bucket('0.001')).toBe(2)
    expect(bucket(String(DURATION_BOUNDS[DURATION_BOUNDS.length - 1]))).toBe(2)
    expect(bucket('+Inf')).toBe(3)
    expect(histogram.samples.find((s) => s.suffix === '_count')?.value).toBe(3)
    expect(histogram.samples.find((s) => s.suffix === '_sum')?.value).toBeCloseTo(60.0012, 6)
  })
})
