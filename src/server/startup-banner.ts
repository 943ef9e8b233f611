/**
 * What `data-api serve` prints once it listens: where the REST API, the auth service and its
 * reference, the web console, the management API and MCP are, and where the admin key is. The admin
 * key is never printed; the console's sign-in link is, since it works once and expires.
 */
import { LOGIN_LINK_SECONDS } from './console-session.js'

export type BannerInfo = Readonly<{
  version: string
  url: string
  database: string
  backend: 'embedded' | 'postgres'
  dataDir: string
  /** the default database runs the built-in auth service */
  builtInAuth: boolean
  /** where the admin key comes from, for the reader to find it */
  adminKeySource: 'environment' | 'file' | 'none'
  workers: number
  /** the default database on the Postgres protocol */
  wireUrl?: string
  /** a one-time sign-in link to the web console */
  consoleLink?: string
}>

export function formatBanner(info: BannerInfo): string {
  const db = `${info.url}/${encodeURIComponent(info.database)}`
  const rows: [string, string][] = [['REST API', `${db}/rest/v1`]]
  if (info.builtInAuth) {
    rows.push(['Auth', `${db}/auth`])
    rows.push(['Auth reference', `${db}/auth/reference`])
  }
  if (info.wireUrl) rows.push(['Postgres', `${info.wireUrl}  (psql, drizzle-kit; data-api connection-string)`])
  if (info.consoleLink) rows.push(['Console', `${info.consoleLink}  (sign-in link: works once, for ${LOGIN_LINK_SECONDS / 60} minutes)`])
  rows.push(['Management API', `${info.url}/api/v2`])
  rows.push(['MCP', `${info.url}/mcp`])
  const key =
    info.adminKeySource === 'environment'
      ? 'DATA_API_ADMIN_KEY (from the environment)'
      : info.adminKeySource === 'file'
        ? `${info.dataDir}/admin-key (readable by this user only)`
        : 'not set: the management API, MCP and /metrics are off (set DATA_API_ADMIN_KEY)'
  rows.push(['Admin key', key])
  const width = Math.max(...rows.map(([k]) => k.length))
  const where = info.backend === 'embedded' ? `the embedded database in ${info.dataDir}` : 'PostgreSQL'
  const workers = info.workers > 1 ? ` with ${info.workers} workers` : ''
  return [`data-api ${info.version} serving ${where}${workers}`, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`), ''].join('\n')
}
