import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { SETTINGS } from './settings-catalog.js'
import { settingsReference } from './settings-reference.js'

describe('docs/settings.md', () => {
  it('is what the catalogue generates (run npm run docs:settings after changing a setting)', () => {
    expect(readFileSync(new URL('../../docs/settings.md', import.meta.url), 'utf8')).toBe(settingsReference())
  })

  it('lists every setting and its variable', () => {
    const text = settingsReference()
    for (const s of SETTINGS) expect(text).toContain(`| \`${s.key}\``)
    for (const s of SETTINGS) expect(text).toContain(`\`${s.env}\``)
  })
})
