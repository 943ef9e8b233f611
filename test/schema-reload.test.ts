/**
 * The schema cache follows the database: DDL reloads it through the event trigger, and so do
 * NOTIFY pgrst / NOTIFY data_api and the admin API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually } from './support/eventually.js'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

/** Lets reloads triggered by earlier DDL finish, so a later 404 proves nothing reloaded since. */
async function settle(s: TestServer): Promise<void> {
  await new Promise((r) => setTimeout(r, 300))
  await s.app.schemaCache.reload()
}

describe.each(backends)('schema cache reload on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend)
    await s.sql('grant usage on schema public to anonymous')
  })
  afterAll(async () => s?.close())

  const status = async (path: string) => (await s.request(path)).status

  it('sees a table created with plain DDL without anyone reloading', async () => {
    expect(await status('/fresh_table')).toBe(404)
    // Straight to the database, not through the helper that reloads.
    await s.app.db.exec('create table fresh_table (id int primary key); grant select on fresh_table to anonymous;')
    await eventually(async () => (await status('/fresh_table')) === 200)
  })

  it('forgets a dropped table', async () => {
    await s.sql('create table doomed (id int); grant select on doomed to anonymous;')
    expect(await status('/doomed')).toBe(200)
    await s.app.db.exec('drop table doomed')
    await eventually(async () => (await status('/doomed')) === 404)
  })

  it.each(['pgrst', 'data_api'])('reloads on NOTIFY %s', async (channel) => {
    // A view created while the event trigger is disabled, so only the NOTIFY can reveal it.
    const name = `quiet_${channel}`
    await settle(s)
    await s.app.db.exec(`alter event trigger data_api_ddl_watch disable; create view ${name} as select 1 as one; grant select on ${name} to anonymous; alter event trigger data_api_ddl_watch enable;`)
    await new Promise((r) => setTimeout(r, 200))
    expect(await status(`/${name}`)).toBe(404)
    await s.app.db.exec(`notify ${channel}, 'reload schema'`)
    await eventually(async () => (await status(`/${name}`)) === 200)
  })

  it('reloads through the management API', async () => {
    await settle(s)
    await s.app.db.exec('alter event trigger data_api_ddl_watch disable; create view admin_made as select 1 as one; grant select on admin_made to anonymous; alter event trigger data_api_ddl_watch enable;')
    await new Promise((r) => setTimeout(r, 200))
    expect(await status('/admin_made')).toBe(404)
    const res = await fetch(`${s.app.url}/api/v2/projects/local/branches/main/data-api/${s.app.db.name}`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${s.app.adminKey}`, 'Content-Type': 'application/json' },
      body: '{}',
    })
    expect(res.status).toBe(201)
    expect(await status('/admin_made')).toBe(200)
  })

  it('refuses the management API without the admin key', async () => {
    const res = await fetch(`${s.app.url}/api/v2/projects/local/branches/main/data-api/${s.app.db.name}`, { method: 'PATCH', headers: { Authorization: 'Bearer wrong-key-wrong-key' } })
    expect(res.status).toBe(401)
  })
})
