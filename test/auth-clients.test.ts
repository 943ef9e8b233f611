/**
 * The real client libraries against a server started here, on PGlite and on PostgreSQL:
 * `@neondatabase/neon-js` running the getting-started flow unchanged (sign up two users, each writes
 * posts, Row-Level Security decides what each sees and may change), and `@supabase/supabase-js`
 * doing the same with tokens from the auth service's `GET token`.
 *
 * The neon-js SDK keeps its session in module-level caches, so the two users take turns on one
 * client (sign out, sign in), as they would in one browser.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createClient } from '@neondatabase/neon-js'
import { createClient as createSupabaseClient } from '@supabase/supabase-js'
import { backends, startTestServer, type TestServer } from './support/test-server.js'
import { authSettings, decodeJwt, PASSWORD, postJson, uniqueEmail } from './support/auth-helpers.js'
import { POSTS as POSTS_TABLE } from './support/posts.js'

const POSTS = `
${POSTS_TABLE}
grant select, insert, update, delete on posts to authenticated;
grant usage on schema public to authenticated;
`

/** How many times a spec has moved the clock ahead to expire the SDK's process-wide anonymous token. */
let anonymousEpochs = 0

type Post = { id: number; user_id: string; content: string; is_published: boolean; created_at: string }

/** What a browser adds that Node's fetch does not: a cookie store, and an Origin on the auth calls. */
function installBrowserLikeFetch(appOrigin: string): { dataApiTokens: string[]; restore: () => void } {
  const realFetch = globalThis.fetch
  const cookies = new Map<string, string>()
  const dataApiTokens: string[] = []
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined))
    if (url.pathname.includes('/auth/')) {
      if (cookies.size > 0) headers.set('cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '))
      headers.set('origin', appOrigin)
    } else {
      const authorization = headers.get('authorization')
      if (authorization) dataApiTokens.push(authorization.replace(/^Bearer /, ''))
    }
    const res = await realFetch(input instanceof Request ? new Request(input, { headers }) : input, { ...init, headers })
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';', 1)
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq)
      const value = pair.slice(eq + 1)
      if (value === '' || /max-age=0/i.test(line)) cookies.delete(name)
      else cookies.set(name, value)
    }
    return res
  }
  return {
    dataApiTokens,
    restore: () => {
      globalThis.fetch = realFetch
    },
  }
}

describe.each(backends)('client libraries on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend, { authService: authSettings() })
    await s.sql(POSTS)
  })
  afterAll(async () => s?.close())

  describe('@neondatabase/neon-js, the getting-started flow', () => {
    const alice = { email: uniqueEmail('alice'), name: 'Alice' }
    const bob = { email: uniqueEmail('bob'), name: 'Bob' }
    let aliceId: string
    let bobId: string

    it('signs up two users who each insert posts, and shows each what RLS allows', async () => {
      const client = createClient({ auth: { url: s.authUrl! }, dataApi: { url: s.base } })

      const signUpAlice = await client.auth.signUp.email({ email: alice.email, password: PASSWORD, name: alice.name })
      expect(signUpAlice.error).toBeNull()
      aliceId = signUpAlice.data!.user.id
      const insertAlice = await client.from('posts').insert([
        { content: 'Alice public', is_published: true },
        { content: 'Alice draft', is_published: false },
      ])
      expect(insertAlice.error).toBeNull()
      expect(insertAlice.status).toBe(201)
      expect((await client.auth.signOut()).error).toBeNull()

      const signUpBob = await client.auth.signUp.email({ email: bob.email, password: PASSWORD, name: bob.name })
      expect(signUpBob.error).toBeNull()
      bobId = signUpBob.data!.user.id
      const insertBob = await client
        .from('posts')
        .insert([
          { content: 'Bob public', is_published: true },
          { content: 'Bob draft', is_published: false },
        ])
        .select()
      expect(insertBob.error).toBeNull()
      expect((insertBob.data as Post[]).map((p) => p.user_id)).toEqual([bobId, bobId])

      // the guide's query
      const { data, error } = await client.from('posts').select('*').eq('is_published', true).order('created_at', { ascending: false })
      expect(error).toBeNull()
      expect((data as Post[]).map((p) => [p.content, p.user_id])).toEqual([
        ['Bob public', bobId],
        ['Alice public', aliceId],
      ])
      const all = await client.from('posts').select('content').order('content')
      expect((all.data as { content: string }[]).map((p) => p.content)).toEqual(['Alice public', 'Bob draft', 'Bob public'])
      expect((await client.auth.signOut()).error).toBeNull()
    })

    it("lets no one update or delete another user's post", async () => {
      const client = createClient({ auth: { url: s.authUrl! }, dataApi: { url: s.base } })
      expect((await client.auth.signIn.email({ email: bob.email, password: PASSWORD })).error).toBeNull()
      const { data: visible } = await client.from('posts').select('*').eq('content', 'Alice public')
      const target = (visible as Post[])[0]!
      expect(target.user_id).toBe(aliceId)

      const update = await client.from('posts').update({ content: 'Defaced by Bob' }).eq('id', target.id).select()
      expect(update.error).toBeNull()
      expect(update.data).toEqual([])
      const remove = await client.from('posts').delete().eq('id', target.id).select()
      expect(remove.error).toBeNull()
      expect(remove.data).toEqual([])
      // Bob may change his own
      const own = await client.from('posts').update({ content: 'Bob draft, edited' }).eq('content', 'Bob draft').select('content')
      expect(own.data).toEqual([{ content: 'Bob draft, edited' }])
      expect((await client.auth.signOut()).error).toBeNull()

      expect((await client.auth.signIn.email({ email: alice.email, password: PASSWORD })).error).toBeNull()
      const mine = await client.from('posts').select('content, user_id').order('content')
      expect(mine.data).toEqual([
        { content: 'Alice draft', user_id: aliceId },
        { content: 'Alice public', user_id: aliceId },
        { content: 'Bob public', user_id: bobId },
      ])
      expect((await client.auth.signOut()).error).toBeNull()
    })

    it('refuses to query without a session (AuthRequiredError, before any request)', async () => {
      const client = createClient({ auth: { url: s.authUrl! }, dataApi: { url: s.base } })
      const { data, error } = await client.from('posts').select('*')
      expect(data).toBeNull()
      expect(error?.message).toMatch(/AuthRequiredError/)
    })

    it('queries as the anonymous role with allowAnonymous', async () => {
      await s.sql(`create table if not exists notices (id int primary key, text text);
        insert into notices values (1, 'Welcome') on conflict do nothing;
        grant usage on schema public to anonymous; grant select on notices to anonymous;`)
      // The SDK keeps one anonymous token per process for its lifetime; one from the other backend's
      // server (an earlier block of this file) would not verify here. Each block jumps further ahead
      // in time than the last one's token lives, so the SDK fetches one from this server.
      anonymousEpochs += 1
      vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true })
      try {
        vi.setSystemTime(Date.now() + anonymousEpochs * 20 * 60 * 1000)
        const client = createClient({ auth: { url: s.authUrl!, allowAnonymous: true }, dataApi: { url: s.base } })
        const { data, error } = await client.from('notices').select('text')
        expect(error).toBeNull()
        expect(data).toEqual([{ text: 'Welcome' }])
      } finally {
        vi.useRealTimers()
      }
    })

    it('fetches a new JWT once the cached one expires, the session cookie kept as a browser keeps it', async () => {
      const browser = installBrowserLikeFetch('http://localhost:5173')
      const client = createClient({ auth: { url: s.authUrl! }, dataApi: { url: s.base } })
      try {
        expect((await client.auth.signIn.email({ email: alice.email, password: PASSWORD })).error).toBeNull()
        expect((await client.from('posts').select('id')).status).toBe(200)
        const first = browser.dataApiTokens.at(-1)!
        // 16 minutes later: the SDK's cached JWT (15 minutes) is past its exp
        vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true })
        vi.setSystemTime(Date.now() + 16 * 60 * 1000)
        const later = await client.from('posts').select('content').eq('content', 'Alice draft')
        expect(later.error).toBeNull()
        expect(later.data).toEqual([{ content: 'Alice draft' }])
        const second = browser.dataApiTokens.at(-1)!
        expect(second).not.toBe(first)
        expect(decodeJwt(second).sub).toBe(aliceId)
        expect(decodeJwt(second).exp as number).toBeGreaterThan(decodeJwt(first).exp as number)
        expect((await client.auth.signOut()).error).toBeNull()
      } finally {
        vi.useRealTimers()
        browser.restore()
      }
    })
  })

  describe('@supabase/supabase-js with a token from GET token', () => {
    async function tokenFor(name: string): Promise<{ id: string; token: string }> {
      const signUp = await postJson(`${s.authUrl}/sign-up/email`, { email: uniqueEmail(name), password: PASSWORD, name })
      expect(signUp.status).toBe(200)
      const { token: sessionToken, user } = (await signUp.json()) as { token: string; user: { id: string } }
      const res = await fetch(`${s.authUrl}/token`, { headers: { Authorization: `Bearer ${sessionToken}` } })
      expect(res.status).toBe(200)
      return { id: user.id, token: ((await res.json()) as { token: string }).token }
    }
    // Realtime is no part of the Data API; on Node 20 (no global WebSocket) supabase-js wants a transport class anyway
    class NoRealtime {
      constructor() {
        throw new Error('realtime is not used here')
      }
    }
    const supabaseFor = (token: string) =>
      createSupabaseClient(`${s.app.url}/${s.app.db.name}`, token, {
        accessToken: async () => token,
        realtime: { transport: NoRealtime as never },
      })

    it('inserts, reads and is refused other users’ rows exactly as RLS says', async () => {
      const carol = await tokenFor('Carol')
      const dave = await tokenFor('Dave')
      const asCarol = supabaseFor(carol.token)
      const asDave = supabaseFor(dave.token)

      const inserted = await asCarol
        .from('posts')
        .insert({ content: 'Carol public', is_published: true })
        .select('id, user_id')
        .single()
      expect(inserted.error).toBeNull()
      expect((inserted.data as { user_id: string }).user_id).toBe(carol.id)
      const carolPost = (inserted.data as { id: number }).id
      expect((await asCarol.from('posts').insert({ content: 'Carol draft' })).status).toBe(201)
      expect((await asDave.from('posts').insert({ content: 'Dave draft' })).status).toBe(201)

      const daveSees = await asDave.from('posts').select('content').in('content', ['Carol public', 'Carol draft', 'Dave draft']).order('content')
      expect((daveSees.data as { content: string }[]).map((p) => p.content)).toEqual(['Carol public', 'Dave draft'])

      const update = await asDave.from('posts').update({ content: 'Defaced by Dave' }).eq('id', carolPost).select()
      expect(update.data).toEqual([])
      const remove = await asDave.from('posts').delete().eq('id', carolPost).select()
      expect(remove.data).toEqual([])
      const forged = await asDave.from('posts').insert({ content: 'As Carol', user_id: carol.id })
      expect(forged.status).toBe(403)
      expect(forged.error?.code).toBe('42501')

      const carolSees = await asCarol.from('posts').select('content').eq('user_id', carol.id).order('content')
      expect(carolSees.data).toEqual([{ content: 'Carol draft' }, { content: 'Carol public' }])
    })
  })
})
