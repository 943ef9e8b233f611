import { describe, expect, it } from 'vitest'
import { envStatement, type RequestContext } from './env-statement.js'

const ctx: RequestContext = {
  schema: 'api',
  extraSearchPath: ['public', 'api'],
  role: 'authenticated',
  claims: { sub: 'u1', role: 'authenticated' },
  method: 'GET',
  path: '/books',
  headers: { accept: '*/*' },
  cookies: {},
}

describe('envStatement', () => {
  it('sets the request context with values as parameters, the same text whatever the values', () => {
    const env = envStatement(ctx)
    expect(env.setsReadOnly).toBe(false)
    expect(env.text).toMatch(/^select set_config\('search_path', \$1, true\), set_config\('role', \(SELECT CASE/)
    expect(env.text).not.toContain('transaction_read_only')
    expect(env.values).toEqual(['"api", "public"', 'authenticated', '{"sub":"u1","role":"authenticated"}', 'GET', '/books', '{"accept":"*/*"}', '{}'])
    expect(envStatement({ ...ctx, role: 'anonymous', path: '/other', claims: { role: 'anonymous' } }).text).toBe(env.text)
  })

  it('makes a read read-only in the same statement, first', () => {
    const env = envStatement({ ...ctx, readOnly: true })
    expect(env.setsReadOnly).toBe(true)
    expect(env.text).toMatch(/^select set_config\('transaction_read_only', 'on', true\), set_config\('search_path', \$1, true\)/)
    expect(env.values).toEqual(envStatement(ctx).values)
  })

  it('appends further settings as parameter pairs, in order', () => {
    const env = envStatement({ ...ctx, readOnly: true, settings: [['statement_timeout', '30000'], ['app.settings.x', 'y']] })
    expect(env.text).toMatch(/, set_config\(\$8, \$9, true\), set_config\(\$10, \$11, true\)$/)
    expect(env.values.slice(7)).toEqual(['statement_timeout', '30000', 'app.settings.x', 'y'])
  })
})
