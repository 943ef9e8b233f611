// The part of autocannon 9 that bench/autocannon-worker.ts uses (the package ships no types).
declare module 'autocannon' {
  type RequestParams = { method?: string; path?: string; headers?: Record<string, string>; body?: string }
  type Options = {
    url: string
    connections?: number
    duration?: number
    timeout?: number
    requests?: { setupRequest?: (request: RequestParams) => RequestParams }[]
  }
  type Histogram = { p50: number; p99: number; average: number; total: number }
  type Result = {
    duration: number
    errors: number
    timeouts: number
    non2xx: number
    latency: Histogram
    requests: Histogram
  }
  function autocannon(options: Options): Promise<Result>
  export default autocannon
}
