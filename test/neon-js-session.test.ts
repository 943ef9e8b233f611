/**
 * What docs/auth-service.md says of neon-js sessions, pinned: two clients in one process share one
 * signed-in session (the second sign-in wins for both), and the server-side pattern it recommends
 * instead, a PostgrestClient per request with that user's JWT, keeps users apart.
 */
import { PostgrestClient } from '@supabase/postgrest-js'
import { createClient } from '@neondatabase/neon-js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { authSettings, PASSWORD, signUpUser, uniqueEmail } from './support/auth-helpers.js'
import { POSTS } from './support/posts.js'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

describe.each(backends)('neon-js sessions on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend, { authService: authSettings() })
    await s.sql(`${POSTS}\ngrant usage on schema public to authenticated;\ngrant select, insert, update, delete on posts to authenticated;`)
  })
  afterAll(async () => s?.close())

  it('shares one signed-in session between the clients of a process: the last sign-in wins', async () => {
    const first = createClient({ auth: { url: s.authUrl! }, dataApi: { url: s.base } })
    const second = createClient({ auth: { url: s.authUrl! }, dataApi: { url: s.base } })
    const a = await first.auth.signUp.email({ email: uniqueEmail('first'), password: PASSWORD, name: 'First' })
    const b = await second.auth.signUp.email({ email: uniqueEmail('second'), password: PASSWORD, name: 'Second' })
    expect(a.error).toBeNull()
    expect(b.error).toBeNull()
    const inserted = await first.from('posts').insert({ content: 'written through the first client' }).select('user_id').single()
    expect(inserted.error).toBeNull()
    expect(inserted.data).toEqual({ user_id: b.data!.user.id })
    expect((await first.auth.getSession()).data?.user?.id).toBe(b.data!.user.id)
    await second.auth.signOut()
  })

  it('keeps users apart with a client per request carrying that user’s JWT', async () => {
    const alice = await signUpUser(s.authUrl!, 'Alice')
    const bob = await signUpUser(s.authUrl!, 'Bob')
    const forUser = (jwt: string) => new PostgrestClient(s.base, { headers: { Authorization: `Bearer ${jwt}` } })
    const [byAlice, byBob] = await Promise.all([
      forUser(alice.jwt).from('posts').insert({ content: 'Alice draft' }).select('user_id').single(),
      forUser(bob.jwt).from('posts').insert({ content: 'Bob draft' }).select('user_id').single(),
    ])
    expect(byAlice.data).toEqual({ user_id: alice.id })
    expect(byBob.data).toEqual({ user_id: bob.id })
    const seenByBob = await forUser(bob.jwt).from('posts').select('content').in('user_id', [alice.id, bob.id])
    expect(seenByBob.data).toEqual([{ content: 'Bob draft' }])
  })
})
