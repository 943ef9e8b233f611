/**
 * Test support: the environment a user's shell would have, without DATABASE_URL or DATA_API_* from
 * the test run. When the run goes through a pooler (DATABASE_DIRECT_URL set), a server given a
 * DATABASE_URL gets the settings docs/deployment.md prescribes for it: its direct URL (the same
 * database and credentials at the direct host) and, as in the run, prepared statements off.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('DATA_API_') && k !== 'DATABASE_URL' && k !== 'DATABASE_DIRECT_URL' && !k.startsWith('VITEST')) env[k] = v
  }
  // a spawned server's Postgres-protocol port: any free one, so parallel specs do not contend for 5433
  return { ...env, DATA_API_WIRE_PORT: '0', ...poolerSettings(extra.DATABASE_URL), ...extra }
}

function poolerSettings(url: string | undefined): Record<string, string> {
  const direct = process.env.DATABASE_DIRECT_URL
  if (url === undefined || !direct) return {}
  const target = new URL(url)
  const base = new URL(direct)
  target.host = base.host
  const settings: Record<string, string> = { DATABASE_DIRECT_URL: target.toString() }
  if (process.env.DATA_API_DB_PREPARED_STATEMENTS) settings.DATA_API_DB_PREPARED_STATEMENTS = process.env.DATA_API_DB_PREPARED_STATEMENTS
  return settings
}
