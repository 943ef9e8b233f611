import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { cliBinding } from './operation.js'
import { withOperationsTable } from './operations-reference.js'
import { OPERATIONS } from './registry.js'

describe('docs/management.md', () => {
  it('lists every operation with its route, command and tool (run npm run docs:settings after changing one)', () => {
    const text = readFileSync(new URL('../../docs/management.md', import.meta.url), 'utf8')
    expect(text).toBe(withOperationsTable(text, OPERATIONS))
    for (const o of OPERATIONS) expect(text).toContain(`\`${o.http.method} ${o.http.path}\``)
  })

  it('names every operation once', () => {
    expect(new Set(OPERATIONS.map((o) => o.name)).size).toBe(OPERATIONS.length)
    const commands = OPERATIONS.map((o) => cliBinding(o).command.join(' '))
    expect(new Set(commands).size).toBe(commands.length)
  })
})
