/**
 * Role switching (issue 11 item 2): a token may name a role only when the role the server connects
 * as is a member of it; never the connecting role itself, a superuser or a predefined pg_* role.
 * The database decides inside each request, so GRANT and REVOKE count from the next request on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApp, type App } from '../src/app.js'
import { loadConfig } from '../src/config/load-config.js'
import { backends, JWT_SECRET, startTestServer, type TestServer } from './support/test-server.js'

const SCHEMA = `
do $$ begin
  if not exists (select from pg_roles where rolname = 'parity_reader') then create role parity_reader nologin; end if;
  if not exists (select from pg_roles where rolname = 'parity_super') then create role parity_super nologin superuser; end if;
end $$;
create table notes (id int primary key, body text);
insert into notes values (1, 'hello');
create function who() returns text language sql stable as $$ select current_user::text $$;
grant usage on schema public to parity_reader, authenticated;
grant select on notes to parity_reader;
grant execute on function who() to parity_reader, authenticated;
`

const refusal = (role: string) => ({ code: '42501', details: null, hint: null, message: `permission denied to set role "${role}"` })

describe.each(backends)('role switching on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend)
    await s.sql(SCHEMA)
  })
  afterAll(async () => s?.close())

  const as = async (role: string) => {
    const res = await s.request('/rpc/who', { token: await s.token({ role }) })
    return { status: res.status, authenticate: res.headers.get('www-authenticate'), body: await res.json() }
  }

  it('runs as the role the token names', async () => {
    expect(await as('parity_reader')).toEqual({ status: 200, authenticate: null, body: 'parity_reader' })
  })

  it.each(['postgres', 'parity_super', 'pg_read_all_data', 'pg_execute_server_program'])('refuses %s: the connecting role, a superuser or a pg_* role', async (role) => {
    expect(await as(role)).toEqual({ status: 401, authenticate: 'Bearer', body: refusal(role) })
  })

  it('refuses a role that does not exist with 401 22023', async () => {
    expect(await as('parity_nobody')).toEqual({
      status: 401,
      authenticate: 'Bearer',
      body: { code: '22023', details: null, hint: null, message: 'role "parity_nobody" does not exist' },
    })
  })

  it('sees a role created after start on the next request', async () => {
    await s.app.db.exec(`do $$ begin if not exists (select from pg_roles where rolname = 'parity_late') then create role parity_late nologin; end if; end $$;
      grant usage on schema public to parity_late; grant execute on function who() to parity_late;`)
    expect(await as('parity_late')).toEqual({ status: 200, authenticate: null, body: 'parity_late' })
  })
})

/**
 * Membership only means something when the server connects as a role that is not a superuser
 * (a superuser is a member of every role): PostgreSQL with a login role of its own.
 */
describe.runIf(backends.includes('postgres'))('role membership on postgres, connecting as a login role', () => {
  let owner: TestServer
  let app: App
  const base = () => `${app.url}/${app.db.name}/rest/v1`

  beforeAll(async () => {
    owner = await startTestServer('postgres')
    await owner.sql(`${SCHEMA}
      do $$ begin
        if not exists (select from pg_roles where rolname = 'parity_login') then create role parity_login login noinherit; end if;
        if not exists (select from pg_roles where rolname = 'parity_writer') then create role parity_writer nologin; end if;
      end $$;
      grant parity_reader to parity_login;
      revoke parity_writer from parity_login;
      grant usage on schema public to parity_writer, parity_login;
      grant execute on function who() to parity_writer;
      grant usage on schema auth, data_api to parity_login;`)
    const url = new URL(owner.app.config.databaseUrl!)
    url.username = 'parity_login'
    const config = loadConfig({}, { databaseUrl: url.toString(), dataDir: 'memory://', port: 0, jwtSecret: JWT_SECRET, logLevel: 'silent', poolSize: 2 })
    app = await startApp(config)
  })
  afterAll(async () => {
    await app?.close()
    await owner?.close()
  })

  const as = async (role: string) => {
    const res = await fetch(`${base()}/rpc/who`, { headers: { Authorization: `Bearer ${await owner.token({ role })}` } })
    return { status: res.status, body: await res.json() }
  }

  it('allows a role it is a member of, refuses one it is not and itself', async () => {
    expect(await as('parity_reader')).toEqual({ status: 200, body: 'parity_reader' })
    expect(await as('parity_writer')).toEqual({ status: 401, body: refusal('parity_writer') })
    expect(await as('parity_login')).toEqual({ status: 401, body: refusal('parity_login') })
  })

  it('follows GRANT and REVOKE from the next request on', async () => {
    await owner.app.db.exec('grant parity_writer to parity_login')
    expect(await as('parity_writer')).toEqual({ status: 200, body: 'parity_writer' })
    await owner.app.db.exec('revoke parity_writer from parity_login')
    expect(await as('parity_writer')).toEqual({ status: 401, body: refusal('parity_writer') })
  })
})
