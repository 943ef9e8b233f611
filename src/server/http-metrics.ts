/**
 * What the HTTP listener counts: answers by method and status, and how long they took. Recording is
 * a map lookup and two array increments per request; the families are built only when scraped.
 */
import { histogramSamples, type MetricFamily } from './metrics.js'

/** Seconds. From a cached read (about 1 ms under load) to a request that hit a statement timeout. */
export const DURATION_BOUNDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const

// A closed set, so a client cannot grow the label space with made-up methods.
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS'])

export class HttpMetrics {
  private readonly answers = new Map<string, number>()
  private readonly buckets: number[] = new Array<number>(DURATION_BOUNDS.length + 1).fill(0)
  private sum = 0

  observe(method: string | undefined, status: number, seconds: number): void {
    const key = `${method !== undefined && METHODS.has(method) ? method : 'other'} ${status}`
    this.answers.set(key, (this.answers.get(key) ?? 0) + 1)
    let i = 0
    while (i < DURATION_BOUNDS.length && seconds > (DURATION_BOUNDS[i] as number)) i++
    this.buckets[i] = (this.buckets[i] as number) + 1
    this.sum += seconds
  }

  families(): MetricFamily[] {
    return [
      {
        name: 'data_api_http_requests_total',
        help: 'HTTP requests answered, by method and status',
        type: 'counter',
        samples: [...this.answers]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([key, value]) => {
            const [method, status] = key.split(' ') as [string, string]
            return { labels: { method, status }, value }
          }),
      },
      {
        name: 'data_api_http_request_duration_seconds',
        help: 'Time from receiving a request to writing its answer',
        type: 'histogram',
        samples: histogramSamples(DURATION_BOUNDS, this.buckets, this.sum),
      },
    ]
  }
}
