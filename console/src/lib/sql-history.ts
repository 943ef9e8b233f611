/**
 * The SQL editor's run history, kept in the browser (localStorage): newest first, at most
 * HISTORY_SIZE entries, a run of the same SQL on the same database moved to the top rather than
 * repeated. Storage that is full, off or holds something else is treated as empty.
 */
export const HISTORY_KEY = 'data-api-console:sql-history'
export const HISTORY_SIZE = 50

export type HistoryEntry = Readonly<{
  sql: string
  database: string
  /** ISO time of the run */
  ranAt: string
  ok: boolean
  /** "3 statements, 12 ms" or the error message */
  summary: string
}>

type Storage = Pick<globalThis.Storage, 'getItem' | 'setItem'>

function isEntry(value: unknown): value is HistoryEntry {
  const e = value as Partial<HistoryEntry> | null
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.sql === 'string' &&
    typeof e.database === 'string' &&
    typeof e.ranAt === 'string' &&
    typeof e.ok === 'boolean' &&
    typeof e.summary === 'string'
  )
}

export function loadHistory(storage: Storage | undefined): HistoryEntry[] {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(HISTORY_KEY) ?? '[]')
    return Array.isArray(parsed) ? parsed.filter(isEntry).slice(0, HISTORY_SIZE) : []
  } catch {
    return []
  }
}

export function saveHistory(storage: Storage | undefined, entries: readonly HistoryEntry[]): void {
  try {
    storage?.setItem(HISTORY_KEY, JSON.stringify(entries))
  } catch {
    // full or refused: the history lives on in this page until it is closed
  }
}

export function addToHistory(entries: readonly HistoryEntry[], entry: HistoryEntry): HistoryEntry[] {
  const rest = entries.filter((e) => !(e.sql === entry.sql && e.database === entry.database))
  return [entry, ...rest].slice(0, HISTORY_SIZE)
}
