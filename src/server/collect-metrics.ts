/**
 * The metric families of one server process, read at scrape time from the counters its parts keep.
 * Names follow PostgREST's where it has the same metric (pgrst_*), so its dashboards carry over.
 */
import type { TokenCacheStats } from '../auth/authenticate.js'
import type { PoolStats } from '../db/database.js'
import type { HttpMetrics } from './http-metrics.js'
import type { MetricFamily } from './metrics.js'

export type SchemaCacheStats = { loads: number; failures: number; lastLoadSeconds: number | undefined }

export type MetricSources = Readonly<{
  http: HttpMetrics
  tokenCache: TokenCacheStats
  schemaCache: SchemaCacheStats
  /** PostgreSQL only */
  pool: (() => PoolStats) | undefined
}>

const startTimeSeconds = Math.round(Date.now() / 1000 - process.uptime())

const gauge = (name: string, help: string, value: number): MetricFamily => ({ name, help, type: 'gauge', samples: [{ value }] })
const counter = (name: string, help: string, value: number): MetricFamily => ({ name, help, type: 'counter', samples: [{ value }] })

export function collectMetrics(sources: MetricSources): MetricFamily[] {
  const { schemaCache, tokenCache } = sources
  const families: MetricFamily[] = [...sources.http.families()]
  families.push(
    {
      name: 'pgrst_schema_cache_loads_total',
      help: 'Schema cache loads, by outcome',
      type: 'counter',
      samples: [
        { labels: { status: 'SUCCESS' }, value: schemaCache.loads },
        { labels: { status: 'FAIL' }, value: schemaCache.failures },
      ],
    },
    gauge('pgrst_schema_cache_query_time_seconds', 'Time the last successful schema cache load took', schemaCache.lastLoadSeconds ?? 0),
    counter('pgrst_jwt_cache_requests_total', 'Token lookups in the verified-token cache', tokenCache.requests),
    counter('pgrst_jwt_cache_hits_total', 'Token lookups answered by the cache, without verifying the signature', tokenCache.hits),
    counter('pgrst_jwt_cache_evictions_total', 'Tokens dropped from the cache: expired, or the oldest when full', tokenCache.evictions),
  )
  const pool = sources.pool?.()
  if (pool) {
    families.push(
      gauge('pgrst_db_pool_max', 'Most connections the request pool opens', pool.max),
      gauge('pgrst_db_pool_available', 'Open connections with no request in flight (requests are pipelined: several may share one connection)', pool.idle),
      gauge('pgrst_db_pool_waiting', 'Requests waiting for room on a connection (each carries a bounded number of pipelined requests)', pool.waiting),
      gauge('data_api_db_pool_connections', 'Open connections of the request pool', pool.total),
    )
  }
  const cpu = process.cpuUsage()
  const memory = process.memoryUsage()
  families.push(
    counter('process_cpu_user_seconds_total', 'User CPU time of the process', cpu.user / 1e6),
    counter('process_cpu_system_seconds_total', 'System CPU time of the process', cpu.system / 1e6),
    gauge('process_resident_memory_bytes', 'Resident memory of the process', memory.rss),
    gauge('process_start_time_seconds', 'Start time of the process, in seconds since the Unix epoch', startTimeSeconds),
    gauge('nodejs_heap_size_used_bytes', 'V8 heap in use', memory.heapUsed),
    gauge('nodejs_heap_size_total_bytes', 'V8 heap reserved', memory.heapTotal),
    gauge('nodejs_external_memory_bytes', 'Memory of C++ objects bound to JavaScript (buffers)', memory.external),
  )
  return families
}
