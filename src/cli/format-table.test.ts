import { describe, expect, it } from 'vitest'
import { formatResult } from './format-table.js'

describe('formatResult', () => {
  it('aligns columns and counts rows', () => {
    expect(
      formatResult({ fields: ['id', 'name'], rows: [{ id: 1, name: 'alpha' }, { id: 22, name: null }], command: 'SELECT 2', rowCount: 2 }),
    ).toBe([' id | name', '----+-------', ' 1  | alpha', ' 22 |', '(2 rows)'].join('\n'))
  })

  it('prints the command tag of statements without rows', () => {
    expect(formatResult({ fields: [], rows: [], command: 'CREATE TABLE', rowCount: null })).toBe('CREATE TABLE')
  })

  it('prints how many rows a DML statement touched', () => {
    expect(formatResult({ fields: [], rows: [], command: 'INSERT', rowCount: 3 })).toBe('INSERT 3')
  })

  it('prints objects as JSON', () => {
    expect(formatResult({ fields: ['j'], rows: [{ j: { a: 1 } }], command: 'SELECT 1', rowCount: 1 })).toBe(' j\n---------\n {"a":1}\n(1 row)')
  })
})
