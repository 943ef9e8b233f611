import { describe, expect, it } from 'vitest'
import { parsePreferences } from './preferences.js'
import type { Preferences } from './types.js'

const lenient = (...headers: string[]): Preferences => parsePreferences(headers, { allowTxOverride: false })
const withTx = (...headers: string[]): Preferences => parsePreferences(headers, { allowTxOverride: true })

describe('parsePreferences', () => {
  it.each<[string[], Preferences]>([
    [[], { invalid: [] }],
    [[''], { invalid: [] }],
    [['return=representation'], { return: 'representation', invalid: [] }],
    [['return=minimal'], { return: 'minimal', invalid: [] }],
    [['return=headers-only'], { return: 'headers-only', invalid: [] }],
    [['resolution=merge-duplicates'], { resolution: 'merge-duplicates', invalid: [] }],
    [['resolution=ignore-duplicates'], { resolution: 'ignore-duplicates', invalid: [] }],
    [['count=exact'], { count: 'exact', invalid: [] }],
    [['count=planned'], { count: 'planned', invalid: [] }],
    [['count=estimated'], { count: 'estimated', invalid: [] }],
    [['missing=default'], { missing: 'default', invalid: [] }],
    [['missing=null'], { missing: 'null', invalid: [] }],
    [['handling=strict'], { handling: 'strict', invalid: [] }],
    [['handling=lenient'], { handling: 'lenient', invalid: [] }],
    [['timezone=America/Los_Angeles'], { timezone: 'America/Los_Angeles', invalid: [] }],
    // validity is checked against pg_timezone_names later
    [['timezone=Not/AZone'], { timezone: 'Not/AZone', invalid: [] }],
    [['timezone='], { timezone: '', invalid: [] }],
    [['max-affected=10'], { maxAffected: 10, invalid: [] }],
    [['max-affected=0'], { maxAffected: 0, invalid: [] }],
    [['max-affected=-1'], { maxAffected: -1, invalid: [] }],
    // not an integer: absent, yet a known token
    [['max-affected=ten'], { invalid: [] }],
    [['max-affected=1.5'], { invalid: [] }],
    // only the first max-affected counts, even when it is not an integer
    [['max-affected=x, max-affected=5'], { invalid: [] }],
  ])('reads %j', (headers, expected) => {
    expect(lenient(...headers)).toEqual(expected)
  })

  it('reads several preferences from one header, with arbitrary spaces', () => {
    expect(
      lenient('resolution=ignore-duplicates,   count=exact ,timezone=America/Los_Angeles,max-affected=100\t'),
    ).toEqual({ resolution: 'ignore-duplicates', count: 'exact', timezone: 'America/Los_Angeles', maxAffected: 100, invalid: [] })
  })

  it('reads several headers', () => {
    expect(lenient('count=exact', 'missing=null, handling=lenient', 'max-affected=5999, invalid')).toEqual({
      count: 'exact',
      missing: 'null',
      handling: 'lenient',
      maxAffected: 5999,
      invalid: ['invalid'],
    })
  })

  it.each<[string[], Preferences]>([
    [['return=minimal, return=representation'], { return: 'minimal', invalid: [] }],
    [['resolution=ignore-duplicates', 'resolution=merge-duplicates'], { resolution: 'ignore-duplicates', invalid: [] }],
    [['count=planned,count=exact'], { count: 'planned', invalid: [] }],
    [['timezone=UTC, timezone=Europe/Paris'], { timezone: 'UTC', invalid: [] }],
    [['return=bogus, return=minimal'], { return: 'minimal', invalid: ['return=bogus'] }],
  ])('keeps the first recognised value of a kind: %j', (headers, expected) => {
    expect(lenient(...headers)).toEqual(expected)
  })

  it.each<[string[], string[]]>([
    [['foo'], ['foo']],
    [['foo, bar'], ['foo', 'bar']],
    [['return=everything'], ['return=everything']],
    [['Return=minimal'], ['Return=minimal']],
    [['return = minimal'], ['return = minimal']],
    [['params=single-object'], ['params=single-object']],
    [['count=exact,'], ['']],
    [[' '], ['']],
    [['a,,b'], ['a', '', 'b']],
  ])('collects unrecognised tokens: %j', (headers, invalid) => {
    expect(lenient(...headers).invalid).toEqual(invalid)
  })

  it.each<[string, Preferences]>([
    ['tx=commit', { tx: 'commit', invalid: [] }],
    ['tx=rollback', { tx: 'rollback', invalid: [] }],
    ['tx=rollback, tx=commit', { tx: 'rollback', invalid: [] }],
    ['tx=maybe', { invalid: ['tx=maybe'] }],
  ])('reads %j when the server allows overriding the transaction end', (header, expected) => {
    expect(withTx(header)).toEqual(expected)
  })

  it.each(['tx=commit', 'tx=rollback'])('ignores %j otherwise, without counting it invalid', (header) => {
    expect(lenient(header, 'handling=strict')).toEqual({ handling: 'strict', invalid: [] })
  })
})
