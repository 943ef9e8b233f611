import { describe, expect, it } from 'vitest'
import { splitDatabasePath } from './create-server.js'

/** The general rule, which the fast path for `/{db}/...` must agree with. */
function reference(path: string): { name: string; rest: string } {
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s)
    } catch {
      return s
    }
  }
  const segments = path.split('/').slice(1)
  if (segments[0] === 'branches' && segments.length >= 4 && (segments[3] === 'rest' || segments[3] === 'auth')) {
    return { name: `branches/${decode(segments[1]!)}/${decode(segments[2]!)}`, rest: `/${segments.slice(3).join('/')}` }
  }
  return { name: decode(segments[0] ?? ''), rest: segments.length > 1 ? `/${segments.slice(1).join('/')}` : '' }
}

describe('splitDatabasePath', () => {
  it.each([
    '/neondb/rest/v1/books',
    '/neondb',
    '/neondb/',
    '/',
    '',
    '*',
    'neondb/rest/v1',
    '//rest/v1',
    '/my%2Ddb/rest/v1/a%2Fb',
    '/bad%E0%A4%A/rest/v1',
    '/branches/dev/neondb/rest/v1/books',
    '/branches/dev/neondb/auth/sign-in',
    '/branches/dev',
    '/branches',
    '/branchesx/rest/v1',
    '/neondb/rest/v1/rpc/fn//x',
  ])('splits %s as the general rule does', (path) => {
    expect(splitDatabasePath(path)).toEqual(reference(path))
  })
})
