import { describe, expect, it } from 'vitest'
import { PreparedStatements } from './prepared-statements.js'
import { statementName } from './statement-name.js'

describe('PreparedStatements', () => {
  it('asks for a Parse once, and remembers the name only when its ParseComplete arrives', () => {
    const s = new PreparedStatements()
    const batch = s.beginBatch()
    expect(s.decide('a')).toBe('parse')
    expect(s.decide('a')).toBe('prepared') // twice in one batch: one Parse serves both
    s.parseCompleted()
    s.batchEnded(batch)
    expect(s.has('a')).toBe(true)
    s.beginBatch()
    expect(s.decide('a')).toBe('prepared')
  })

  it('answers unnamed for the empty name, and keeps it in the ParseComplete order', () => {
    const s = new PreparedStatements()
    const batch = s.beginBatch()
    expect(s.decide('')).toBe('unnamed')
    expect(s.decide('a')).toBe('parse')
    s.parseCompleted() // the unnamed one
    s.parseCompleted() // a's
    s.batchEnded(batch)
    expect(s.has('a')).toBe(true)
    expect(s.has('')).toBe(false)
  })

  it('forgets Parses that were never confirmed when their batch ends', () => {
    const s = new PreparedStatements()
    const batch = s.beginBatch()
    s.decide('env')
    s.decide('main')
    s.parseCompleted() // env parsed, then the batch failed before main's ParseComplete
    s.batchEnded(batch)
    expect(s.has('env')).toBe(true)
    expect(s.has('main')).toBe(false)
    s.beginBatch()
    expect(s.decide('main')).toBe('parse')
  })

  it('has a later batch use the unnamed statement for a Parse still pending in an earlier one', () => {
    const s = new PreparedStatements()
    const first = s.beginBatch()
    expect(s.decide('env')).toBe('parse')
    expect(s.decide('main')).toBe('parse')
    const second = s.beginBatch() // written before the first is answered (pipelined)
    expect(s.decide('env')).toBe('unnamed')
    expect(s.decide('main')).toBe('unnamed')
    // ParseCompletes arrive in wire order: first's two, then second's two unnamed ones
    s.parseCompleted()
    s.parseCompleted()
    s.batchEnded(first)
    s.parseCompleted()
    s.parseCompleted()
    s.batchEnded(second)
    expect(s.has('env') && s.has('main')).toBe(true)
    expect(s.size).toBe(2)
    s.beginBatch()
    expect(s.decide('main')).toBe('prepared')
  })

  it('ties ParseCompletes to the right names when an earlier pipelined batch failed', () => {
    const s = new PreparedStatements()
    const first = s.beginBatch()
    s.decide('a')
    s.decide('b')
    const second = s.beginBatch()
    s.decide('c')
    s.parseCompleted() // a
    s.batchEnded(first) // failed before b's Parse: b was never created
    s.parseCompleted() // c
    s.batchEnded(second)
    expect([s.has('a'), s.has('b'), s.has('c')]).toEqual([true, false, true])
  })

  it('ignores ParseCompletes of statements it did not send (plain client.query statements)', () => {
    const s = new PreparedStatements()
    s.parseCompleted()
    expect(s.size).toBe(0)
  })

  it('evicts the least recently used statement beyond capacity and hands it over for Close', () => {
    const s = new PreparedStatements(8)
    for (let i = 0; i < 8; i++) {
      const batch = s.beginBatch()
      s.decide(`s${i}`)
      s.parseCompleted()
      s.batchEnded(batch)
    }
    s.beginBatch()
    expect(s.decide('s0')).toBe('prepared') // a hit makes s0 the most recently used
    s.decide('s8')
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
