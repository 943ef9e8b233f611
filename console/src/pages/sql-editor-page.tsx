/**
 * The SQL Editor: statements run as the database owner (run_sql), several per run; results per
 * statement; errors with their detail, hint and position; a history of runs kept in the browser.
 * Ctrl/Cmd+Enter runs, as "Run" does; with text selected, only the selection runs.
 */
import type { SQLNamespace } from '@codemirror/lang-sql'
import { useCallback, useMemo, useRef, useState } from 'react'
import { ApiError } from '../api/client'
import { listTables, runSql, type SqlRun, type Target } from '../api/management'
import { useResource } from '../components/use-resource'
import { errorRange, lineAndColumn } from '../lib/error-range'
import { dateTime, plural } from '../lib/format'
import { loadDraft, saveDraft } from '../lib/sql-draft'
import { addToHistory, loadHistory, saveHistory, type HistoryEntry } from '../lib/sql-history'
import { CodeEditor, type CodeEditorHandle } from './sql/code-editor'
import { SqlError, SqlResults } from './sql/sql-results'

const STARTER = '-- Statements run as the database owner. Ctrl+Enter (⌘+Enter) runs them.\nselect now();\n'

function storage(): Storage | undefined {
  try {
    return window.localStorage
  } catch {
    return undefined
  }
}

type Outcome =
  | Readonly<{ kind: 'none' }>
  | Readonly<{ kind: 'ok'; run: SqlRun }>
  | Readonly<{ kind: 'error'; error: unknown; at: Readonly<{ line: number; column: number }> | undefined }>

export default function SqlEditorPage({ target }: { target: Target }) {
  const editor = useRef<CodeEditorHandle>(null)
  const [running, setRunning] = useState(false)
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'none' })
  const [history, setHistory] = useState<HistoryEntry[]>(() => loadHistory(storage()))
  const tables = useResource(() => listTables(target), [target.project, target.database])
  const initial = useMemo(() => loadDraft(target.database) ?? STARTER, [target.database])

  const schema = useMemo<SQLNamespace>(() => {
    const bySchema: Record<string, Record<string, string[]>> = {}
    for (const t of tables.data?.tables ?? []) (bySchema[t.schema] ??= {})[t.name] = t.columns.map((c) => c.name)
    return bySchema
  }, [tables.data])

  const remember = useCallback((entry: HistoryEntry) => {
    setHistory((h) => {
      const next = addToHistory(h, entry)
      saveHistory(storage(), next)
      return next
    })
  }, [])

  const run = useCallback(async () => {
    const handle = editor.current
    if (!handle || running) return
    const { sql, offset } = handle.runnable()
    if (sql.trim() === '') return
    setRunning(true)
    handle.markError(undefined)
    const ranAt = new Date().toISOString()
    try {
      const result = await runSql(target, sql)
      setOutcome({ kind: 'ok', run: result })
      remember({ sql, database: target.database, ranAt, ok: true, summary: `${plural(result.results.length, 'statement')}, ${result.duration_ms} ms` })
      void tables.reload()
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return
      const range = error instanceof ApiError ? errorRange(sql, error.position, offset) : undefined
      handle.markError(range)
      setOutcome({ kind: 'error', error, at: range ? lineAndColumn(handle.text(), range.from) : undefined })
      remember({ sql, database: target.database, ranAt, ok: false, summary: error instanceof Error ? error.message : String(error) })
    } finally {
      setRunning(false)
    }
  }, [target, running, remember, tables])

  return (
    <div className="sql-page">
      <div className="sql-main">
        <CodeEditor
          ref={editor}
          initial={initial}
          schema={schema}
          onRun={() => void run()}
          onChange={(text) => saveDraft(target.database, text)}
        />
        <div className="toolbar">
          <button type="button" className="button button-primary" onClick={() => void run()} disabled={running} aria-keyshortcuts="Control+Enter Meta+Enter">
            {running ? 'Running…' : 'Run'}
          </button>
          <span className="muted small">Ctrl+Enter (⌘+Enter). With text selected, only the selection runs.</span>
        </div>
        {running ? (
          <p className="loading" role="status">
            <span className="spinner" aria-hidden="true" />
            Running…
          </p>
        ) : null}
        {outcome.kind === 'ok' ? <SqlResults run={outcome.run} /> : null}
        {outcome.kind === 'error' ? <SqlError error={outcome.error} at={outcome.at} /> : null}
      </div>
      <aside className="sql-history card" aria-labelledby="history-heading">
        <div className="row space-between">
          <h2 id="history-heading" className="section-title">
            History
          </h2>
          {history.length > 0 ? (
            <button
              type="button"
              className="button button-small"
              onClick={() => {
                setHistory([])
                saveHistory(storage(), [])
              }}
            >
              Clear history
            </button>
          ) : null}
        </div>
        {history.length === 0 ? <p className="muted small">Runs appear here. They are kept in this browser only.</p> : null}
        <ol className="history-list">
          {history.map((h) => (
            <li key={`${h.ranAt}-${h.database}-${h.sql.length}`} className={`history-item ${h.ok ? '' : 'history-failed'}`}>
              <button
                type="button"
                className="history-load"
                aria-label={`Load into the editor: ${h.sql.trim().split('\n')[0]?.slice(0, 80) ?? ''}`}
                onClick={() => editor.current?.setText(h.sql)}
              >
                <span className="mono history-sql">{h.sql.trim()}</span>
              </button>
              <p className="small muted">
                {dateTime(h.ranAt)} · {h.database} · {h.ok ? h.summary : `failed: ${h.summary}`}
              </p>
            </li>
          ))}
        </ol>
      </aside>
    </div>
  )
}
