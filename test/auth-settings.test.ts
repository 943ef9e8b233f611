/**
 * Settings stored in the database (data_api.settings) drive authentication, and a change reaches a
 * running server through NOTIFY data_api, 'reload config' without a restart: auth provider, audience,
 * anonymous role, role claim key, disabling the API. Explicitly configured values win.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeSettings } from '../src/admin/settings-store.js'
import { sign, signingKey, startJwksServer, type JwksServer, type SigningKey } from './support/jwks-server.js'
import { eventually } from './support/eventually.js'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

describe.each(backends)('auth settings from the database on %s', (backend) => {
  let provider: JwksServer
  let key: SigningKey
  let s: TestServer
  const status = async (path: string, token?: string) => (await s.request(path, token === undefined ? {} : { token })).status

  beforeAll(async () => {
    key = await signingKey('ES256')
    provider = await startJwksServer([key])
    s = await startTestServer(backend)
    await s.sql(`
      do $$ begin
        if not exists (select from pg_roles where rolname = 'settings_editor') then create role settings_editor nologin; end if;
      exception when duplicate_object or unique_violation then null;
      end $$;
      grant settings_editor to authenticator;
      create table notes (id int primary key, body text);
      insert into notes values (1, 'hello');
      grant usage on schema public to anonymous, authenticated, settings_editor;
      grant select on notes to anonymous, authenticated, settings_editor;
      create view me as select current_user::text as "user";
      grant select on me to anonymous, authenticated, settings_editor;`)
  })
  afterAll(async () => {
    await s?.close()
    await provider?.stop()
  })

  it('switches to an identity provider and an audience without a restart', async () => {
    const providerToken = await sign(key, { sub: 'p' }, { audience: 'notes-app' })
    expect(await status('/notes', providerToken)).toBe(401)
    const jwks = [{ id: 'p1', jwks_url: provider.url, provider_name: 'Test', created_at: '', updated_at: '' }]
    await writeSettings(s.app.db, { auth_provider: 'external', jwks, jwt_audience: ['notes-app'] })
    await eventually(async () => (await status('/notes', providerToken)) === 200)
    // the audience applies to the new provider's tokens
    expect(await status('/notes', await sign(key, { sub: 'p' }, { audience: 'other-app' }))).toBe(401)
    // the shared secret set explicitly for this server keeps working next to the provider
    expect(await status('/notes', await s.token({ sub: 'hs', aud: 'notes-app' }))).toBe(200)
    await writeSettings(s.app.db, {}, ['auth_provider', 'jwks', 'jwt_audience'])
    await eventually(async () => (await status('/notes', providerToken)) === 401)
    expect(await status('/notes', await s.token({ sub: 'hs' }))).toBe(200)
  })

  it('disables anonymous access and enables it again', async () => {
    await writeSettings(s.app.db, { db_anon_role: null })
    await eventually(async () => (await status('/notes')) === 401)
    const res = await s.request('/notes')
    expect(res.headers.get('www-authenticate')).toBe('Bearer')
    expect(await res.json()).toEqual({ code: 'PGRST302', details: null, hint: null, message: 'Anonymous access is disabled' })
    await writeSettings(s.app.db, { db_anon_role: 'anonymous' })
    await eventually(async () => (await status('/notes')) === 200)
  })

  it('reads the role from the configured claim key', async () => {
    const token = await s.token({ sub: 'x', role: 'authenticated', app_metadata: { role: 'settings_editor' } })
    const user = async () => ((await (await s.request('/me', { token })).json()) as [{ user: string }])[0].user
    expect(await user()).toBe('authenticated')
    await writeSettings(s.app.db, { jwt_role_claim_key: '.app_metadata.role' })
    await eventually(async () => (await user()) === 'settings_editor')
    await writeSettings(s.app.db, {}, ['jwt_role_claim_key'])
    await eventually(async () => (await user()) === 'authenticated')
  })

  it('answers 404 while the API is disabled, and serves again once enabled', async () => {
    await writeSettings(s.app.db, { enabled: false })
    await eventually(async () => (await status('/notes')) === 404)
    expect(await (await s.request('/notes', { token: await s.token({ sub: 'x' }) })).json()).toEqual({
      code: 'PGRST125',
      details: `The Data API is disabled for database "${s.app.db.name}"`,
      hint: 'An operator can enable it with: data-api create',
      message: 'Invalid path specified in request URL',
    })
    // OPTIONS needs no token, and still must not describe a disabled API
    const options = await s.request('/notes', { method: 'OPTIONS' })
    expect(options.status).toBe(404)
    expect(options.headers.get('allow')).toBeNull()
    expect(((await options.json()) as { details: string }).details).toBe(`The Data API is disabled for database "${s.app.db.name}"`)
    await writeSettings(s.app.db, { enabled: true })
    await eventually(async () => (await status('/notes')) === 200)
    expect((await s.request('/notes', { method: 'OPTIONS' })).headers.get('allow')).toBe('OPTIONS,GET,HEAD,POST,PUT,PATCH,DELETE')
  })

  it('keeps serving with a warning when a stored value is invalid', async () => {
    await s.app.db.exec(`insert into data_api.settings (key, value) values ('db_anon_role', '42')
      on conflict (key) do update set value = excluded.value; notify data_api, 'reload config'`)
    await new Promise((r) => setTimeout(r, 300))
    await s.app.reloadConfig()
    expect(await status('/notes')).toBe(200)
    await writeSettings(s.app.db, {}, ['db_anon_role'])
  })

  it('still reads the keys an earlier version stored', async () => {
    await writeSettings(s.app.db, { anon_role: null })
    await eventually(async () => (await status('/notes')) === 401)
    await writeSettings(s.app.db, {}, ['anon_role'])
    await eventually(async () => (await status('/notes')) === 200)
  })
})

describe('explicit configuration wins over stored settings', () => {
  it('keeps the anonymous role set in the environment', async () => {
    const s = await startTestServer('pglite', { anonRole: 'anonymous' })
    try {
      await s.sql('create table open_notes (id int); grant usage on schema public to anonymous; grant select on open_notes to anonymous;')
      await writeSettings(s.app.db, { db_anon_role: null })
      await s.app.reloadConfig()
      expect((await s.request('/open_notes')).status).toBe(200)
    } finally {
      await s.close()
    }
  })
})
