import { describe, expect, it } from 'vitest'
import { PreparedStatements } from './prepared-statements.js'
import { statementName } from './statement-name.js'

describe('PreparedStatements', () => {
  it('asks for a Parse once, and remembers the name only when its ParseComplete arrives', () => {
    const s = new PreparedStatements()
    expect(s.needsParse('a')).toBe(true)
    expect(s.needsParse('a')).toBe(false) // twice in one batch: one Parse serves both
    s.parseCompleted()
    s.batchEnded()
    expect(s.has('a')).toBe(true)
    expect(s.needsParse('a')).toBe(false)
  })

  it('forgets Parses that were never confirmed when the batch ends', () => {
    const s = new PreparedStatements()
    s.needsParse('env')
    s.needsParse('main')
    s.parseCompleted() // env parsed, then the batch failed before main's ParseComplete
    s.batchEnded()
    expect(s.has('env')).toBe(true)
    expect(s.has('main')).toBe(false)
    expect(s.needsParse('main')).toBe(true)
  })

  it('ignores ParseCompletes of statements it did not send (unnamed pool.query statements)', () => {
    const s = new PreparedStatements()
    s.parseCompleted()
    expect(s.size).toBe(0)
  })

  it('evicts the least recently used statement beyond capacity and hands it over for Close', () => {
    const s = new PreparedStatements(8)
    for (let i = 0; i < 8; i++) {
      s.needsParse(`s${i}`)
      s.parseCompleted()
    }
    s.needsParse('s0') // a hit makes s0 the most recently used
    s.needsParse('s8')
    s.parseCompleted()
    expect(s.size).toBe(8)
    expect(s.has('s0')).toBe(true)
    expect(s.has('s1')).toBe(false)
    expect(s.takeEvicted()).toEqual(['s1'])
    expect(s.takeEvicted()).toEqual([])
  })
})

describe('statementName', () => {
  it('is stable per text and differs between texts', () => {
    expect(statementName('select 1')).toMatch(/^s_[0-9a-f]{16}$/)
    expect(statementName('select 1')).toBe(statementName('select 1'))
    expect(statementName('select 1')).not.toBe(statementName('select 2'))
  })
})
