/** Test support: the environment a user's shell would have, without DATABASE_URL or DATA_API_* from the test run. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DATA_API_') && k !== 'DATABASE_URL' && !k.startsWith('VITEST')) env[k] = v
  // a spawned server's Postgres-protocol port: any free one, so parallel specs do not contend for 5433
  return { ...env, DATA_API_WIRE_PORT: '0', ...extra }
}
