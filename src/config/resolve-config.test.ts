import { describe, expect, it } from 'vitest'
import { loadConfig } from './load-config.js'
import { patchProblems, resolveConfig } from './resolve-config.js'
import { SETTINGS } from './settings-catalog.js'

describe('the settings catalogue', () => {
  it('declares each default as the configuration holds it when nothing is set', () => {
    const base = loadConfig({ NODE_ENV: 'development' })
    for (const setting of SETTINGS) expect([setting.key, setting.read(base)]).toEqual([setting.key, setting.default])
  })

  it('takes every value an environment variable gives as a valid stored value too', () => {
    const env: Record<string, string> = {
      DATA_API_SCHEMAS: 'api,public',
      DATA_API_ANON_ROLE: 'web_anon',
      DATA_API_MAX_ROWS: '50',
      DATA_API_ROLE_CLAIM_KEY: '.app_metadata.role',
      DATA_API_CORS_ORIGINS: 'https://app.example.com',
      DATA_API_OPENAPI_MODE: 'ignore-privileges',
      DATA_API_SERVER_TIMING_ENABLED: 'true',
      DATA_API_AGGREGATES_ENABLED: 'true',
      DATA_API_EXTRA_SEARCH_PATH: 'public,extensions',
      DATA_API_JWT_CACHE_MAX_LIFETIME: '0',
      DATA_API_TX_END: 'rollback-allow-override',
      DATA_API_PRE_REQUEST: 'api.check',
      DATA_API_ROOT_SPEC: 'api.root',
      DATA_API_SERVER_TRACE_HEADER: 'X-Request-Id',
      DATA_API_PLAN_ENABLED: 'true',
      DATA_API_OPENAPI_SECURITY_ACTIVE: 'true',
      DATA_API_OPENAPI_SERVER_PROXY_URI: 'https://api.example.com/v1',
      DATA_API_DEFAULT_ROLE: 'member',
      DATA_API_STATEMENT_TIMEOUT: '5000',
      DATA_API_AUTH_PROVIDER: 'external',
      DATA_API_JWKS_URL: 'https://id.example.com/jwks',
      DATA_API_JWT_AUD: 'app',
      DATA_API_JWT_ISSUER: 'https://id.example.com/',
      DATA_API_AUTH_TRUSTED_ORIGINS: 'https://app.example.com',
      DATA_API_AUTH_ALLOW_LOCALHOST: 'false',
      DATA_API_AUTH_SIGN_UP: 'false',
      DATA_API_AUTH_REQUIRE_EMAIL_VERIFICATION: 'true',
    }
    const pinned = loadConfig(env)
    for (const setting of SETTINGS) {
      expect(pinned.pinned[setting.key]).toBe(setting.env)
      const value = resolveConfig(pinned, {}).settings[setting.key]!
      expect([setting.key, setting.schema.safeParse(value.value).success]).toEqual([setting.key, true])
    }
  })
})

describe('resolveConfig', () => {
  it('applies stored settings over the defaults, and says where each value came from', () => {
    const { config, settings, warnings } = resolveConfig(loadConfig({}), { db_max_rows: 10, db_schemas: ['api'], jwt_issuer: ['https://id.example.com/'] })
    expect(warnings).toEqual([])
    expect([config.maxRows, config.schemas, config.jwtIssuer]).toEqual([10, ['api'], ['https://id.example.com/']])
    expect(settings.db_max_rows).toEqual({ value: 10, source: 'database' })
    expect(settings.db_anon_role).toEqual({ value: 'anonymous', source: 'default' })
  })

  it('lets the environment win over stored settings, and names the variable', () => {
    const { config, settings } = resolveConfig(loadConfig({ DATA_API_MAX_ROWS: '3' }), { db_max_rows: 10 })
    expect(config.maxRows).toBe(3)
    expect(settings.db_max_rows).toEqual({ value: 3, source: 'environment', variable: 'DATA_API_MAX_ROWS' })
  })

  it('reads the keys earlier versions stored', () => {
    const { config, settings } = resolveConfig(loadConfig({}), {
      auth_provider: 'https://id.example.com/.well-known/jwks.json',
      jwt_audience: 'my-app',
      anon_role: null,
      role_claim_key: '.app_metadata.role',
    })
    expect(config).toMatchObject({
      jwksUrl: 'https://id.example.com/.well-known/jwks.json',
      jwtAudience: ['my-app'],
      anonRole: undefined,
      roleClaimKey: '.app_metadata.role',
    })
    expect(config.authService.provider).toBe('external')
    expect(settings.auth_provider!.value).toBe('external')
    expect(resolveConfig(loadConfig({}), { auth_provider: 'built-in' }).config.authService.provider).toBe('built-in')
  })

  it('takes the audience of the JWKS provider unless one is set for the database', () => {
    const provider = { id: 'p1', jwks_url: 'https://id.example.com/jwks', provider_name: 'Id', jwt_audience: 'aud-1', created_at: '', updated_at: '' }
    expect(resolveConfig(loadConfig({}), { jwks: [provider] }).config.jwtAudience).toEqual(['aud-1'])
    expect(resolveConfig(loadConfig({}), { jwks: [provider], jwt_audience: ['mine'] }).config.jwtAudience).toEqual(['mine'])
  })

  it('disables the API whatever the environment says', () => {
    expect(resolveConfig(loadConfig({ DATA_API_ANON_ROLE: 'anonymous' }), { enabled: false }).config.apiEnabled).toBe(false)
  })

  it('skips invalid stored values with a warning', () => {
    const { config, warnings } = resolveConfig(loadConfig({}), { auth_provider: 'nonsense', db_anon_role: 42, enabled: 'yes' })
    expect(config.anonRole).toBe('anonymous')
    expect(config.apiEnabled).toBe(true)
    expect(warnings).toHaveLength(3)
    expect(warnings[0]).toBe('ignoring the stored setting enabled: must be true or false')
  })
})

describe('patchProblems', () => {
  it('names unknown keys, bad values and settings the environment pins', () => {
    const base = loadConfig({ DATA_API_MAX_ROWS: '3' })
    expect(patchProblems(base, { db_max_rows: 10, db_schemas: [], nope: 1, db_anon_role: 'web_anon', server_timing_enabled: undefined })).toEqual([
      { key: 'db_max_rows', message: 'is set by the environment variable DATA_API_MAX_ROWS on this server; unset it to manage the setting here' },
      { key: 'db_schemas', message: 'name at least one schema' },
      { key: 'nope', message: expect.stringMatching(/^unknown setting \(known: db_schemas, db_anon_role, /) },
    ])
  })
})
