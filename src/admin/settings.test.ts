import { describe, expect, it } from 'vitest'
import { loadConfig } from '../config/load-config.js'
import { applySettings, settingsStatements, sqlLiteral, validateSetting } from './settings.js'

describe('applySettings', () => {
  const stored = {
    enabled: true,
    auth_provider: 'https://id.example.com/.well-known/jwks.json',
    jwt_audience: ['app', 'admin'],
    jwt_issuer: 'https://id.example.com/',
    anon_role: null,
    role_claim_key: '.app_metadata.role',
    db_schemas: ['api'], // someone else's key: kept, not interpreted here
  }

  it('applies stored settings over the defaults', () => {
    const { config, warnings } = applySettings(loadConfig({}), stored)
    expect(warnings).toEqual([])
    expect(config).toMatchObject({
      apiEnabled: true,
      jwksUrl: 'https://id.example.com/.well-known/jwks.json',
      jwtAudience: ['app', 'admin'],
      jwtIssuer: ['https://id.example.com/'],
      anonRole: undefined,
      roleClaimKey: '.app_metadata.role',
    })
  })

  it('lets explicit environment variables win over stored settings', () => {
    const env = {
      DATA_API_JWKS_URL: 'https://other.example.com/jwks',
      DATA_API_JWT_AUD: 'mine',
      DATA_API_ANON_ROLE: 'web_anon',
      DATA_API_ROLE_CLAIM_KEY: '.role',
    }
    const { config } = applySettings(loadConfig(env), stored)
    expect(config).toMatchObject({
      jwksUrl: 'https://other.example.com/jwks',
      jwtAudience: ['mine'],
      jwtIssuer: ['https://id.example.com/'], // not set in the environment: the stored one
      anonRole: 'web_anon',
      roleClaimKey: '.role',
    })
  })

  it('treats overrides (tests, embedding) as explicit too', () => {
    const { config } = applySettings(loadConfig({}, { anonRole: 'anonymous' }), { anon_role: null })
    expect(config.anonRole).toBe('anonymous')
  })

  it('maps built-in to no JWKS URL, and an inline key set in the environment keeps the stored provider out', () => {
    expect(applySettings(loadConfig({ DATA_API_JWKS_URL: 'https://x.example/jwks' }), { auth_provider: 'built-in' }).config.jwksUrl).toBe(
      'https://x.example/jwks',
    )
    expect(applySettings(loadConfig({}), { auth_provider: 'built-in' }).config.jwksUrl).toBeUndefined()
    const inline = loadConfig({ DATA_API_JWKS: '{"keys":[]}' })
    expect(applySettings(inline, { auth_provider: 'https://id.example.com/jwks' }).config.jwksUrl).toBeUndefined()
  })

  it('disables the API whatever the environment says', () => {
    expect(applySettings(loadConfig({ DATA_API_ANON_ROLE: 'anonymous' }), { enabled: false }).config.apiEnabled).toBe(false)
  })

  it('skips invalid stored values with a warning', () => {
    const { config, warnings } = applySettings(loadConfig({}), { auth_provider: 'ftp://nope', anon_role: 42, enabled: 'yes' })
    expect(config.jwksUrl).toBeUndefined()
    expect(config.anonRole).toBe('anonymous')
    expect(config.apiEnabled).toBe(true)
    expect(warnings).toHaveLength(3)
    expect(warnings[0]).toMatch(/^ignoring the stored setting enabled: /)
  })
})

describe('validateSetting', () => {
  it.each([
    ['auth_provider', 'built-in', true],
    ['auth_provider', 'https://a.example/jwks', true],
    ['auth_provider', 'nonsense', false],
    ['jwt_audience', ['a', 'b'], true],
    ['jwt_audience', null, true],
    ['jwt_audience', [''], false],
    ['anon_role', null, true],
    ['role_claim_key', '."https://x/role"', true],
    ['role_claim_key', 'role', false],
    ['something_else', { any: 'thing' }, true],
  ])('%s = %j → %s', (key, value, ok) => {
    expect(validateSetting(key, value) === undefined).toBe(ok)
  })
})

describe('SQL', () => {
  it('quotes any text as a literal', () => {
    expect(sqlLiteral("it's")).toBe("$v$it's$v$")
    expect(sqlLiteral('a $v$ b')).toBe('$vv$a $v$ b$vv$')
  })

  it('upserts only changed values and deletes removed keys', () => {
    const sql = settingsStatements({ anon_role: null, skipped: undefined }, ['old'])
    expect(sql).toContain(`VALUES ($v$anon_role$v$, $v$null$v$::jsonb)`)
    expect(sql).toContain('WHERE data_api.settings.value IS DISTINCT FROM excluded.value')
    expect(sql).not.toContain('skipped')
    expect(sql).toContain('DELETE FROM data_api.settings WHERE key = $v$old$v$;')
  })
})
