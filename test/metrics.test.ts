/**
 * GET /metrics: Prometheus text for operators holding the admin key. It counts answers by method and
 * status with their durations, schema cache loads, the token cache's hits and, on PostgreSQL, the
 * request pool.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

const ADMIN_KEY = 'test-admin-key-0123456789'

/** The value of one sample line, `name{labels} value`, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

describe.each(backends)('/metrics on %s', (backend) => {
  let s: TestServer
  const scrape = async (key: string | null = ADMIN_KEY) => {
    const res = await fetch(`${s.app.url}/metrics`, { headers: key ? { Authorization: `Bearer ${key}` } : {} })
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() }
  }

  beforeAll(async () => {
    s = await startTestServer(backend, { poolSize: 3 })
    await s.sql(`
      create table gauges (id int primary key);
      insert into gauges values (1);
      grant usage on schema public to anonymous, authenticated;
      grant select on gauges to anonymous, authenticated;`)
  })
  afterAll(async () => s?.close())

  it('needs the admin key', async () => {
    expect(await scrape(null)).toEqual({
      status: 401,
      type: 'application/json; charset=utf-8',
      text: '{"code":"UNAUTHORIZED","message":"A valid admin key is required (Authorization: Bearer <admin key>)."}',
    })
    expect((await scrape('wrong-key-0123456789abcdef')).status).toBe(401)
  })

  it('answers Prometheus text with a HELP and TYPE line for every family', async () => {
    const { status, type, text } = await scrape()
    expect(status).toBe(200)
    expect(type).toBe('text/plain; version=0.0.4; charset=utf-8')
    const names = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => `${m[1]} ${m[2]}`)
    expect(names).toEqual([
      'data_api_http_requests_total counter',
      'data_api_http_request_duration_seconds histogram',
      'pgrst_schema_cache_loads_total counter',
      'pgrst_schema_cache_query_time_seconds gauge',
      'pgrst_jwt_cache_requests_total counter',
      'pgrst_jwt_cache_hits_total counter',
      'pgrst_jwt_cache_evictions_total counter',
      ...(backend === 'postgres'
        ? ['pgrst_db_pool_max gauge', 'pgrst_db_pool_available gauge', 'pgrst_db_pool_waiting gauge', 'data_api_db_pool_connections gauge']
        : []),
      'process_cpu_user_seconds_total counter',
      'process_cpu_system_seconds_total counter',
      'process_resident_memory_bytes gauge',
      'process_start_time_seconds gauge',
      'nodejs_heap_size_used_bytes gauge',
      'nodejs_heap_size_total_bytes gauge',
      'nodejs_external_memory_bytes gauge',
    ])
    expect(text.endsWith('\n')).toBe(true)
  })

  it('counts answers by method and status, and their durations', async () => {
    const before = (await scrape()).text
    const series = (method: string, status: number) => `data_api_http_requests_total{method="${method}",status="${status}"}`
    for (let i = 0; i < 3; i++) expect((await s.request('/gauges')).status).toBe(200)
    expect((await s.request('/nowhere')).status).toBe(404)
    expect((await s.request('/gauges', { method: 'HEAD' })).status).toBe(200)
    const after = (await scrape()).text
    const delta = (name: string) => (sample(after, name) ?? 0) - (sample(before, name) ?? 0)
    expect(delta(series('GET', 200))).toBe(4) // three reads and the first scrape
    expect(delta(series('GET', 404))).toBe(1)
    expect(delta(series('HEAD', 200))).toBe(1)
    expect(delta('data_api_http_request_duration_seconds_count')).toBe(6)
    expect(sample(after, 'data_api_http_request_duration_seconds_bucket{le="+Inf"}')).toBe(sample(after, 'data_api_http_request_duration_seconds_count'))
  })

  it('counts schema cache loads and token cache hits', async () => {
    const before = (await scrape()).text
    const token = await s.token({ sub: 'metrics-user' })
    for (let i = 0; i < 3; i++) expect((await s.request('/gauges', { token })).status).toBe(200)
    await s.app.schemaCache.reload()
    const after = (await scrape()).text
    const delta = (name: string) => (sample(after, name) ?? 0) - (sample(before, name) ?? 0)
    expect(delta('pgrst_jwt_cache_requests_total')).toBe(3)
    expect(delta('pgrst_jwt_cache_hits_total')).toBe(2)
    expect(delta('pgrst_schema_cache_loads_total{status="SUCCESS"}')).toBe(1)
    expect(sample(after, 'pgrst_schema_cache_loads_total{status="FAIL"}')).toBe(0)
    expect(sample(after, 'pgrst_schema_cache_query_time_seconds')).toBeGreaterThan(0)
  })

  it('verifies every request when DATA_API_JWT_CACHE_MAX_LIFETIME is 0: lookups, no hits', async () => {
    const uncached = await startTestServer(backend, { jwtCacheMaxLifetimeSeconds: 0 })
    try {
      await uncached.sql(`create table dials (id int primary key); grant usage on schema public to authenticated; grant select on dials to authenticated;`)
      const token = await uncached.token({ sub: 'no-cache' })
      for (let i = 0; i < 3; i++) expect((await uncached.request('/dials', { token })).status).toBe(200)
      const res = await fetch(`${uncached.app.url}/metrics`, { headers: { Authorization: `Bearer ${ADMIN_KEY}` } })
      const text = await res.text()
      expect([sample(text, 'pgrst_jwt_cache_requests_total'), sample(text, 'pgrst_jwt_cache_hits_total')]).toEqual([3, 0])
    } finally {
      await uncached.close()
    }
  })

  // PGlite has no pool: the families list above shows it has no pool series either
  if (backend === 'postgres') it('shows the request pool', async () => {
    const { text } = await scrape()
    expect(sample(text, 'pgrst_db_pool_max')).toBe(3)
    expect(sample(text, 'data_api_db_pool_connections')).toBe(3)
    expect(sample(text, 'pgrst_db_pool_available')).toBe(3)
    expect(sample(text, 'pgrst_db_pool_waiting')).toBe(0)
  })
})
