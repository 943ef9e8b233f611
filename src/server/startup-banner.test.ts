import { describe, expect, it } from 'vitest'
import { formatBanner, type BannerInfo } from './startup-banner.js'

const INFO: BannerInfo = {
  version: '1.2.3',
  url: 'http://127.0.0.1:3000',
  database: 'neondb',
  backend: 'embedded',
  dataDir: '.data-api',
  builtInAuth: true,
  adminKeySource: 'file',
  workers: 1,
}

describe('formatBanner', () => {
  it('prints the console’s one-time sign-in link among the addresses, never the admin key', () => {
    const link = 'http://127.0.0.1:3000/console/login?token=login.1.abc.def'
    expect(formatBanner({ ...INFO, consoleLink: link }).split('\n')).toEqual([
      'data-api 1.2.3 serving the embedded database in .data-api',
      '  REST API        http://127.0.0.1:3000/neondb/rest/v1',
      '  Auth            http://127.0.0.1:3000/neondb/auth',
      '  Auth reference  http://127.0.0.1:3000/neondb/auth/reference',
      `  Console         ${link}  (sign-in link: works once, for 15 minutes)`,
      '  Management API  http://127.0.0.1:3000/api/v2',
      '  MCP             http://127.0.0.1:3000/mcp',
      '  Admin key       .data-api/admin-key (readable by this user only)',
      '',
    ])
  })

  it('has no console line without an admin key', () => {
    expect(formatBanner({ ...INFO, backend: 'postgres', adminKeySource: 'none' })).not.toContain('Console')
  })
})
