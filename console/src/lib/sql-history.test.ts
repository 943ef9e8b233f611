import { describe, expect, it } from 'vitest'
import { addToHistory, HISTORY_KEY, HISTORY_SIZE, loadHistory, saveHistory, type HistoryEntry } from './sql-history'

const entry = (sql: string, database = 'neondb'): HistoryEntry => ({ sql, database, ranAt: '2026-01-01T00:00:00.000Z', ok: true, summary: '1 statement' })

function memoryStorage(initial?: string) {
  const items = new Map<string, string>(initial === undefined ? [] : [[HISTORY_KEY, initial]])
  return { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v), items }
}

describe('SQL history', () => {
  it('puts the newest run first and moves a repeated one to the top', () => {
    const h = addToHistory(addToHistory(addToHistory([], entry('a')), entry('b')), entry('a'))
    expect(h.map((e) => e.sql)).toEqual(['a', 'b'])
  })

  it('keeps the same SQL run on two databases apart', () => {
    expect(addToHistory([entry('a', 'x')], entry('a', 'y'))).toHaveLength(2)
  })

  it(`keeps at most ${HISTORY_SIZE} runs`, () => {
    let h: HistoryEntry[] = []
    for (let i = 0; i < HISTORY_SIZE + 5; i++) h = addToHistory(h, entry(`select ${i}`))
    expect(h).toHaveLength(HISTORY_SIZE)
    expect(h[0]!.sql).toBe(`select ${HISTORY_SIZE + 4}`)
  })

  it('round-trips through storage, and reads anything else as empty', () => {
    const storage = memoryStorage()
    saveHistory(storage, [entry('a')])
    expect(loadHistory(storage)).toEqual([entry('a')])
    expect(loadHistory(memoryStorage('not json'))).toEqual([])
    expect(loadHistory(memoryStorage('{"sql": 1}'))).toEqual([])
    expect(loadHistory(memoryStorage('[{"sql": 1}, 5]'))).toEqual([])
    expect(loadHistory(undefined)).toEqual([])
  })

  it('shrugs off storage that refuses to save', () => {
    expect(() => saveHistory({ getItem: () => null, setItem: () => { throw new Error('QuotaExceededError') } }, [entry('a')])).not.toThrow()
  })
})
