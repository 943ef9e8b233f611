import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './load-config.js'

const failure = (env: Record<string, string>): string => {
  try {
    loadConfig(env)
  } catch (err) {
    if (err instanceof ConfigError) return err.message
    throw err
  }
  throw new Error('expected a ConfigError')
}

describe('loadConfig', () => {
  it('fills in the defaults and pins nothing for an empty environment', () => {
    const c = loadConfig({})
    expect({
      dataDir: c.dataDir,
      port: c.port,
      poolSize: c.poolSize,
      workers: c.workers,
      schemas: c.schemas,
      openApiMode: c.openApiMode,
      openApiSecurityActive: c.openApiSecurityActive,
      openApiServerProxyUri: c.openApiServerProxyUri,
      pinned: c.pinned,
    }).toEqual({
      dataDir: './.data-api',
      port: 3000,
      poolSize: 10,
      workers: 1,
      schemas: ['public'],
      openApiMode: 'follow-privileges',
      openApiSecurityActive: false,
      openApiServerProxyUri: undefined,
      pinned: {},
    })
  })

  it('reads the OpenAPI security flag, the proxy URI and the worker count; the settings among them are pinned by their variable', () => {
    const c = loadConfig({
      DATA_API_OPENAPI_SECURITY_ACTIVE: 'true',
      DATA_API_OPENAPI_SERVER_PROXY_URI: 'https://api.example.com/v1',
      DATA_API_WORKERS: '4',
    })
    expect([c.openApiSecurityActive, c.openApiServerProxyUri, c.workers]).toEqual([true, 'https://api.example.com/v1', 4])
    expect(c.pinned).toEqual({
      openapi_security_active: 'DATA_API_OPENAPI_SECURITY_ACTIVE',
      openapi_server_proxy_uri: 'DATA_API_OPENAPI_SERVER_PROXY_URI',
    })
  })

  it('refuses a port above 65535', () => {
    expect(failure({ PORT: '70000' })).toBe('Invalid configuration:\n  PORT: must be a port number (0 picks a free one)')
  })

  it('refuses a DATABASE_URL that is not a postgres URL, saying what to do', () => {
    expect(failure({ DATABASE_URL: 'mysql://root@localhost/app' })).toBe(
      'Invalid configuration:\n  DATABASE_URL: must be a postgres:// or postgresql:// URL (unset it to use the embedded database)',
    )
    expect(loadConfig({ DATABASE_URL: 'postgresql://u@h/db' }).databaseUrl).toBe('postgresql://u@h/db')
  })

  it('pins the settings a test or an embedding program gives as overrides', () => {
    const c = loadConfig({ DATA_API_MAX_ROWS: '5' }, { anonRole: undefined, schemas: ['api'] })
    expect(c.pinned).toEqual({ db_max_rows: 'DATA_API_MAX_ROWS', db_anon_role: 'override', db_schemas: 'override' })
    expect([c.maxRows, c.anonRole, c.schemas]).toEqual([5, undefined, ['api']])
  })

  it('says which variables are wrong and why', () => {
    expect(failure({ DATA_API_OPENAPI_SERVER_PROXY_URI: 'ftp://files.example.com', DATA_API_WORKERS: '0', PORT: 'http', DATA_API_POOL_SIZE: '0' })).toBe(
      [
        'Invalid configuration:',
        '  PORT: must be a port number (0 picks a free one)',
        '  DATA_API_POOL_SIZE: must be a whole number of connections, at least 1',
        '  DATA_API_WORKERS: must be a whole number of processes, at least 1',
        '  DATA_API_OPENAPI_SERVER_PROXY_URI: must be an http(s) URL',
      ].join('\n'),
    )
  })
})
