/** Runs the slow-clients scenario against a fresh test server on `backend` with a short request timeout. */
import { startTestServer, type Backend } from '../../test/support/test-server.js'
import type { ScenarioResult } from './scenario-result.js'
import { runSlowClients } from './slow-clients.js'

export async function runSlowClientsOn(
  backend: Backend,
  databaseUrl: string | undefined,
  sizes: Readonly<{ perKind: number; requestTimeoutSeconds: number }>,
): Promise<ScenarioResult> {
  const s = await startTestServer(backend, {
    requestTimeoutSeconds: sizes.requestTimeoutSeconds,
    ...(databaseUrl ? { databaseUrl, databaseDirectUrl: databaseUrl } : {}),
  })
  try {
    await s.sql(`create table fault_probe (id int primary key); insert into fault_probe values (1);
      grant usage on schema public to anonymous; grant select, insert on fault_probe to anonymous;`)
    const path = `${new URL(s.base).pathname}/fault_probe?select=id`
    return await runSlowClients(backend === 'pglite' ? 'the embedded backend' : 'PostgreSQL', { url: s.app.url, probePath: path, ...sizes })
  } finally {
    await s.close()
  }
}
