/**
 * Advisors: the database advisor's findings (list_advisor_issues), most severe first, each with
 * its level, table, description and the SQL that fixes it, which "Run fix" runs (run_sql) after a
 * confirmation; a fix that is an example to adapt opens in the SQL Editor instead.
 */
import { useState } from 'react'
import { ApiError } from '../api/client'
import { listAdvisorIssues, runSql, type Issue, type Target } from '../api/management'
import { ConfirmDialog } from '../components/confirm-dialog'
import { ErrorNotice, Loading, Notice } from '../components/status'
import { useResource } from '../components/use-resource'
import { plural } from '../lib/format'
import { routeHref } from '../lib/route'
import { saveDraft } from '../lib/sql-draft'

/** A fix with a comment in it ("-- wrap the call in a select, e.g.") is an example to adapt, not SQL to run blind. */
function isExample(sql: string): boolean {
  return /^\s*--/m.test(sql)
}

function editInSqlEditor(target: Target, sql: string): void {
  saveDraft(target.database, sql)
  window.location.hash = routeHref({ page: 'sql', database: target.database })
}

const LEVEL_CLASS: Readonly<Record<string, string>> = { ERROR: 'badge-error', WARN: 'badge-warn', INFO: 'badge-muted' }

export function AdvisorsPage({ target }: { target: Target }) {
  const issues = useResource(
    () =>
      listAdvisorIssues(target).then(
        (r) => ({ enabled: true as const, issues: r.issues }),
        (err: unknown) => {
          if (err instanceof ApiError && err.status === 404) return { enabled: false as const, reason: err.message }
          throw err
        },
      ),
    [target.project, target.database],
  )
  const [fixing, setFixing] = useState<Issue | undefined>(undefined)
  const [fixed, setFixed] = useState<string | undefined>(undefined)

  if (issues.state === 'failed' && !issues.data) return <ErrorNotice title="The advisors could not run" error={issues.error} onRetry={() => void issues.reload()} />
  if (!issues.data) return <Loading label="Checking the database…" />
  if (!issues.data.enabled) return <Notice kind="info">{issues.data.reason} The advisors look at what the Data API exposes: enable it on the Data API page.</Notice>

  const list = issues.data.issues
  return (
    <div className="stack">
      <div className="row space-between">
        <p className="muted" role="status">
          {issues.state === 'loading' ? 'Checking…' : list.length === 0 ? 'No findings: nothing to fix.' : plural(list.length, 'finding')}
        </p>
        <button type="button" className="button button-small" onClick={() => void issues.reload()} disabled={issues.state === 'loading'}>
          Check again
        </button>
      </div>
      {fixed ? (
        <Notice kind="success" live>
          {fixed}
        </Notice>
      ) : null}
      {issues.state === 'failed' ? <ErrorNotice error={issues.error} onRetry={() => void issues.reload()} /> : null}
      <ul className="plain-list stack" aria-label="Findings">
        {list.map((issue) => {
          const table = issue.metadata.schema && issue.metadata.name ? `${issue.metadata.schema}.${issue.metadata.name}` : undefined
          const titleId = `issue-${issue.cache_key}`.replace(/[^\w-]/g, '_')
          return (
            <li key={issue.cache_key} className="card issue" aria-labelledby={titleId}>
              <div className="row">
                <span className={`badge ${LEVEL_CLASS[issue.level] ?? 'badge-muted'}`}>{issue.level}</span>
                <h2 id={titleId} className="issue-title">
                  {issue.title}
                  {table ? <span className="mono"> · {table}</span> : null}
                </h2>
              </div>
              <p>{issue.detail}</p>
              <p className="muted small">{issue.description}</p>
              <pre className="code">{issue.sql}</pre>
              {isExample(issue.sql) ? (
                <div className="row">
                  <button type="button" className="button button-small" aria-describedby={titleId} onClick={() => editInSqlEditor(target, issue.sql)}>
                    Edit in SQL Editor
                  </button>
                  <span className="muted small">An example to adapt to the policy, not a fix to run as it is.</span>
                </div>
              ) : (
                <div>
                  <button type="button" className="button button-small" aria-describedby={titleId} onClick={() => setFixing(issue)}>
                    Run fix
                  </button>
                </div>
              )}
            </li>
          )
        })}
      </ul>
      {fixing ? (
        <ConfirmDialog
          title="Run this fix?"
          confirmLabel="Run"
          onConfirm={async () => {
            await runSql(target, fixing.sql)
            setFixed(`Ran: ${fixing.sql}`)
            await issues.reload()
          }}
          onClose={() => setFixing(undefined)}
        >
          <p>
            It runs on <strong>{target.database}</strong> as the database owner:
          </p>
          <pre className="code">{fixing.sql}</pre>
        </ConfirmDialog>
      ) : null}
    </div>
  )
}
