/**
 * Column privileges (issue 11 item 9): reading, inserting or updating a column the role has no
 * privilege on fails as in PostgREST (42501: 401 anonymous, 403 with a token); a role with
 * column-level grants can read `*` (its columns) and write the columns it may.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

const SCHEMA = `
create table accounts (id int primary key, handle text, email text);
insert into accounts values (1, 'ann', 'ann@example.com');
grant usage on schema public to anonymous, authenticated;
grant select (id, handle), insert (id, handle), update (handle) on accounts to anonymous, authenticated;
`

const denied = { code: '42501', details: null, hint: null, message: 'permission denied for table accounts' }

describe.each(backends)('column privileges on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend)
    await s.sql(SCHEMA)
  })
  afterAll(async () => s?.close())

  const send = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}, token?: string) => {
    const res = await s.request(path, {
      method,
      headers: { 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      ...(token ? { token } : {}),
    })
    const text = await res.text()
    return { status: res.status, body: text === '' ? null : JSON.parse(text) }
  }

  it('reads * as the columns the role may read', async () => {
    expect(await send('GET', '/accounts')).toEqual({ status: 200, body: [{ id: 1, handle: 'ann' }] })
  })

  it('refuses a column the role may not read: 401 anonymous, 403 with a token', async () => {
    expect(await send('GET', '/accounts?select=email')).toEqual({ status: 401, body: denied })
    expect(await send('GET', '/accounts?select=email', undefined, {}, await s.token({ role: 'authenticated' }))).toEqual({ status: 403, body: denied })
  })

  it('inserts and updates the columns it may, with a representation of the columns it may read', async () => {
    expect(await send('POST', '/accounts?select=id,handle', { id: 2, handle: 'bo' }, { Prefer: 'return=representation' })).toEqual({
      status: 201,
      body: [{ id: 2, handle: 'bo' }],
    })
    expect(await send('PATCH', '/accounts?id=eq.2', { handle: 'bob' })).toEqual({ status: 204, body: null })
    expect(await send('PATCH', '/accounts?id=eq.2&select=*', { handle: 'bobby' }, { Prefer: 'return=representation' })).toEqual({
      status: 200,
      body: [{ id: 2, handle: 'bobby' }],
    })
  })

  it('refuses to write a column it may not', async () => {
    expect(await send('POST', '/accounts', { id: 3, email: 'x@example.com' })).toEqual({ status: 401, body: denied })
    expect(await send('PATCH', '/accounts?id=eq.1', { email: 'y@example.com' })).toEqual({ status: 401, body: denied })
  })

  it('follows a GRANT on the next request', async () => {
    await s.sql('grant select (email) on accounts to anonymous')
    expect(await send('GET', '/accounts?id=eq.1')).toEqual({ status: 200, body: [{ id: 1, handle: 'ann', email: 'ann@example.com' }] })
    await s.sql('revoke select (email) on accounts from anonymous')
  })
})
