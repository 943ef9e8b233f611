/**
 * The getting-started example: Row-Level Security decides what each token sees. Also the request
 * context (role, claims, method, path, headers, cookies) as SQL sees it, and token failures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SignJWT } from 'jose'
import { backends, startTestServer, type TestServer } from './support/test-server.js'
import { POSTS as POSTS_TABLE } from './support/posts.js'

const POSTS = `
${POSTS_TABLE}
grant select, insert, update, delete on posts to authenticated;
grant usage on schema public to authenticated, anonymous;
insert into posts (user_id, content, is_published, created_at) values
  ('alice', 'Alice public', true, '2026-01-01T10:00:00Z'),
  ('alice', 'Alice draft', false, '2026-01-02T10:00:00Z'),
  ('bob', 'Bob public', true, '2026-01-03T10:00:00Z'),
  ('bob', 'Bob draft', false, '2026-01-04T10:00:00Z');
create table notices (id int primary key, text text);
insert into notices values (1, 'Welcome');
grant select on notices to anonymous;
create function whoami() returns json language sql stable as $$
  select json_build_object(
    'user', current_user,
    'sub', auth.user_id(),
    'uid', auth.uid(),
    'claims', auth.jwt(),
    'method', current_setting('request.method', true),
    'path', current_setting('request.path', true),
    'agent', current_setting('request.headers', true)::json->>'user-agent',
    'cookie', current_setting('request.cookies', true)::json->>'theme')
$$;
create view me as select whoami() as info;
grant select on me to authenticated, anonymous;
`

describe.each(backends)('row-level security on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend)
    await s.sql(POSTS)
  })
  afterAll(async () => s?.close())

  const contents = async (res: Response) => ((await res.json()) as { content: string }[]).map((p) => p.content)

  it('shows each user the published posts and only their own drafts', async () => {
    const path = '/posts?is_published=eq.true&order=created_at.desc'
    const alice = await s.token({ sub: 'alice' })
    const bob = await s.token({ sub: 'bob' })
    expect(await contents(await s.request(path, { token: alice }))).toEqual(['Bob public', 'Alice public'])
    expect(await contents(await s.request('/posts?order=created_at.desc', { token: alice }))).toEqual([
      'Bob public',
      'Alice draft',
      'Alice public',
    ])
    expect(await contents(await s.request('/posts?order=created_at.desc', { token: bob }))).toEqual([
      'Bob draft',
      'Bob public',
      'Alice public',
    ])
  })

  it('refuses anonymous reads of a table not granted to anonymous with 401', async () => {
    const res = await s.request('/posts')
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe('Bearer')
    expect(await res.json()).toEqual({ code: '42501', details: null, hint: null, message: 'permission denied for table posts' })
  })

  it('lets anonymous read what was granted to it', async () => {
    const res = await s.request('/notices')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual([{ id: 1, text: 'Welcome' }])
  })

  it('answers 403 to an authenticated role without the privilege', async () => {
    await s.sql('create table secrets (id int primary key); revoke all on secrets from authenticated;')
    const res = await s.request('/secrets', { token: await s.token({ sub: 'alice' }) })
    expect(res.status).toBe(403)
    expect(((await res.json()) as { code: string }).code).toBe('42501')
  })

  it('exposes role, claims, method, path, headers and cookies to SQL', async () => {
    const token = await s.token({ sub: '7d9e1f5c-2f43-4d0c-9a3e-5b1c2d3e4f50', email: 'a@example.com' })
    const res = await s.request('/me', { token, headers: { 'User-Agent': 'spec-agent', Cookie: 'theme=dark; other=1' } })
    expect(res.status).toBe(200)
    const [{ info }] = (await res.json()) as [{ info: Record<string, unknown> }]
    expect(info).toMatchObject({
      user: 'authenticated',
      sub: '7d9e1f5c-2f43-4d0c-9a3e-5b1c2d3e4f50',
      uid: '7d9e1f5c-2f43-4d0c-9a3e-5b1c2d3e4f50',
      method: 'GET',
      path: '/me',
      agent: 'spec-agent',
      cookie: 'dark',
    })
    expect(info.claims).toMatchObject({ sub: '7d9e1f5c-2f43-4d0c-9a3e-5b1c2d3e4f50', email: 'a@example.com', role: 'authenticated' })
  })

  it('runs anonymous requests as the anonymous role with only the role claim', async () => {
    const [{ info }] = (await (await s.request('/me')).json()) as [{ info: Record<string, unknown> }]
    expect(info).toMatchObject({ user: 'anonymous', sub: null, uid: null, claims: { role: 'anonymous' } })
  })

  it('switches to the role named by the token', async () => {
    await s.sql(`do $$ begin if not exists (select from pg_roles where rolname = 'auditor') then create role auditor nologin; end if; end $$;
      grant auditor to authenticator; grant usage on schema public to auditor; grant select on me to auditor;`)
    const [{ info }] = (await (await s.request('/me', { token: await s.token({ sub: 'x', role: 'auditor' }) })).json()) as [
      { info: Record<string, unknown> },
    ]
    expect(info.user).toBe('auditor')
  })

  it('answers 401 for a role that does not exist', async () => {
    const res = await s.request('/notices', { token: await s.token({ sub: 'x', role: 'no_such_role_here' }) })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ code: '22023', details: null, hint: null, message: 'role "no_such_role_here" does not exist' })
  })

  describe('token failures', () => {
    it('answers 401 PGRST303 for an expired token', async () => {
      const token = await new SignJWT({ sub: 'alice', role: 'authenticated' })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime(Math.floor(Date.now() / 1000) - 120)
        .sign(new TextEncoder().encode('test-secret-that-is-at-least-32-characters-long'))
      const res = await s.request('/notices', { token })
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token", error_description="JWT expired"')
      expect(await res.json()).toEqual({ code: 'PGRST303', details: null, hint: null, message: 'JWT expired' })
    })

    it('answers 401 PGRST301 for a token signed with another secret', async () => {
      const token = await new SignJWT({ sub: 'alice' })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode('another-secret-that-is-at-least-32-characters'))
      const res = await s.request('/notices', { token })
      expect(res.status).toBe(401)
      expect(await res.json()).toEqual({ code: 'PGRST301', details: null, hint: null, message: 'JWT cryptographic operation failed' })
    })

    it.each([
      ['not-a-jwt', 'Expected 3 parts in JWT; got 1'],
      ['a.b.c', "JWT couldn't be decoded"],
    ])('answers 401 PGRST301 for the malformed token %s', async (token, message) => {
      const res = await s.request('/notices', { token })
      expect(res.status).toBe(401)
      expect(((await res.json()) as { message: string }).message).toBe(message)
    })

    it('answers 401 for an empty bearer token', async () => {
      const res = await s.request('/notices', { headers: { Authorization: 'Bearer ' } })
      expect(res.status).toBe(401)
      expect(await res.json()).toEqual({ code: 'PGRST301', details: null, hint: null, message: 'Empty JWT is sent in Authorization header' })
    })

    it('refuses alg none', async () => {
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')
      const payload = Buffer.from(JSON.stringify({ sub: 'alice', role: 'authenticated' })).toString('base64url')
      const res = await s.request('/notices', { token: `${header}.${payload}.` })
      expect(res.status).toBe(401)
      expect(((await res.json()) as { code: string }).code).toBe('PGRST301')
    })
  })
})
