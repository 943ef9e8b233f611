import { describe, expect, it } from 'vitest'
import { errorRange, lineAndColumn } from './error-range'

describe('errorRange', () => {
  it('marks the word PostgreSQL points at', () => {
    const sql = 'select 1;\nselect * from nope'
    // relation "nope" does not exist, position 25
    expect(errorRange(sql, 25)).toEqual({ from: 24, to: 28 })
    expect(sql.slice(24, 28)).toBe('nope')
  })

  it('marks one character when it is not part of a word', () => {
    expect(errorRange('select (1', 8)).toEqual({ from: 7, to: 8 })
  })

  it('shifts by where the text that was sent began in the document', () => {
    expect(errorRange('selec 1', 1, 10)).toEqual({ from: 10, to: 15 })
  })

  it('counts characters as PostgreSQL does, not UTF-16 units', () => {
    const sql = "select '😀', nope"
    const range = errorRange(sql, 13)!
    expect(sql.slice(range.from, range.to)).toBe('nope')
  })

  it('keeps a position past the end inside the text, and ignores a missing one', () => {
    expect(errorRange('select', 99)).toEqual({ from: 5, to: 6 })
    expect(errorRange('select', null)).toBeUndefined()
    expect(errorRange('select', 0)).toBeUndefined()
  })
})

describe('lineAndColumn', () => {
  it('counts from 1', () => {
    expect(lineAndColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 })
    expect(lineAndColumn('ab', 0)).toEqual({ line: 1, column: 1 })
  })
})
