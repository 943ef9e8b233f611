import { describe, expect, it } from 'vitest'
import type { ActionPlan } from './plan/types.js'
import { envStatement } from './sql/env-statement.js'
import { transactionSettings, type Setting } from './transaction-settings.js'

const plan = (hoisted: readonly Setting[] = [], timezone?: string): ActionPlan =>
  ({
    kind: 'call',
    ...(timezone ? { timezone } : {}),
    transaction: { readOnly: false, end: 'commit', singular: false, exactlyOne: false, maxAffected: undefined, settings: hoisted },
  }) as unknown as ActionPlan

describe('transactionSettings', () => {
  it("sets the server's statement_timeout, in ms, first", () => {
    expect(transactionSettings({ plan: plan(), roleSettings: undefined, statementTimeoutMs: 30000, appSettings: [['app.settings.x', '1']] })).toEqual([
      ['statement_timeout', '30000'],
      ['app.settings.x', '1'],
    ])
  })

  it('sets none when the setting is 0', () => {
    expect(transactionSettings({ plan: plan(), roleSettings: undefined, statementTimeoutMs: 0, appSettings: [] })).toEqual([])
  })

  it("lets the role's own statement_timeout win over the server's, even over 0", () => {
    expect(transactionSettings({ plan: plan(), roleSettings: [['statement_timeout', '5s']], statementTimeoutMs: 30000, appSettings: [] })).toEqual([['statement_timeout', '5s']])
    expect(transactionSettings({ plan: plan(), roleSettings: [['statement_timeout', '0']], statementTimeoutMs: 0, appSettings: [] })).toEqual([['statement_timeout', '0']])
  })

  it("lets a called function's hoisted statement_timeout win over the role's and the server's: one value is sent", () => {
    expect(
      transactionSettings({ plan: plan([['statement_timeout', '4s']], 'UTC'), roleSettings: [['statement_timeout', '5s']], statementTimeoutMs: 30000, appSettings: [] }),
    ).toEqual([
      ['timezone', 'UTC'],
      ['statement_timeout', '4s'],
    ])
  })

  it('lands in the request context statement as set_config(name, value, true) pairs after the fixed ones', () => {
    const settings = transactionSettings({ plan: plan(), roleSettings: undefined, statementTimeoutMs: 1500, appSettings: [] })
    const env = envStatement({ schema: 'public', extraSearchPath: [], role: 'anonymous', claims: {}, method: 'GET', path: '/t', headers: {}, cookies: {}, settings })
    expect(env.text).toMatch(/, set_config\(\$8, \$9, true\)$/)
    expect(env.values.slice(7)).toEqual(['statement_timeout', '1500'])
  })
})
