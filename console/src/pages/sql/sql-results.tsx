/** What a run answered: a table per statement with its row count, the run's time; or the error. */
import type { ApiError } from '../../api/client'
import type { SqlRun } from '../../api/management'
import { DataTable } from '../../components/data-table'
import { errorMessage } from '../../components/status'
import { plural, statementSummary } from '../../lib/format'

export function SqlResults({ run }: { run: SqlRun }) {
  return (
    <section className="results" aria-label="Results">
      <p className="status-text" role="status">
        Ran {plural(run.results.length, 'statement')} in {run.duration_ms.toLocaleString('en-US')} ms.
      </p>
      {run.results.map((r, i) => {
        const summary = statementSummary(r.command, r.rowCount, r.fields.length)
        return (
          <article key={i} className="result" aria-label={`Statement ${i + 1}`}>
            <h3 className="result-title">
              <span className="muted">Statement {i + 1}</span> {summary}
            </h3>
            {r.fields.length > 0 ? <DataTable columns={r.fields} rows={r.rows} caption={`Statement ${i + 1}: ${summary}`} /> : null}
          </article>
        )
      })}
    </section>
  )
}

export function SqlError({ error, at }: { error: unknown; at: Readonly<{ line: number; column: number }> | undefined }) {
  const api = error as Partial<ApiError>
  return (
    <div className="notice notice-error sql-error" role="alert">
      <p className="notice-title">
        {typeof api.code === 'string' && /^[0-9A-Z]{5}$/.test(api.code) ? <span className="mono">{api.code} </span> : null}
        {errorMessage(error)}
      </p>
      {at ? (
        <p className="notice-extra">
          At line {at.line}, column {at.column} (marked in the editor).
        </p>
      ) : null}
      {api.detail ? <p className="notice-extra">Detail: {api.detail}</p> : null}
      {api.hint ? <p className="notice-extra">Hint: {api.hint}</p> : null}
    </div>
  )
}
