/**
 * The "API" tab: the API URL, "Refresh schema cache", and the Security section (the identity
 * provider, and a warning with "Enable RLS" for each exposed table without row-level security).
 */
import { useState } from 'react'
import { enableRls, listTables, refreshSchemaCache, type DataApi, type Target } from '../../api/management'
import { CopyField } from '../../components/copy-field'
import { ErrorNotice, Loading, Notice } from '../../components/status'
import { useResource } from '../../components/use-resource'
import { rlsWarnings, type RlsWarning } from '../../lib/rls-warnings'

export function ApiTab({ target, api, onShowSettings }: { target: Target; api: DataApi; onShowSettings: () => void }) {
  return (
    <div className="stack">
      <section className="card" aria-labelledby="api-url-heading">
        <h2 id="api-url-heading" className="section-title">
          Endpoint
        </h2>
        <CopyField label="API URL" value={api.url} />
        <RefreshSchemaCache target={target} />
      </section>
      <Security target={target} api={api} onShowSettings={onShowSettings} />
    </div>
  )
}

function RefreshSchemaCache({ target }: { target: Target }) {
  const [state, setState] = useState<{ busy: boolean; done?: string; error?: unknown }>({ busy: false })
  const refresh = async () => {
    setState({ busy: true })
    try {
      await refreshSchemaCache(target)
      setState({ busy: false, done: `Schema cache refreshed at ${new Date().toLocaleTimeString('en-US')}.` })
    } catch (error) {
      setState({ busy: false, error })
    }
  }
  return (
    <div className="row">
      <button type="button" className="button" onClick={() => void refresh()} disabled={state.busy}>
        {state.busy ? 'Refreshing…' : 'Refresh schema cache'}
      </button>
      <p className="help">After you add tables or columns, so the API sees them (SQL run here refreshes it already).</p>
      <p role="status" className="status-text">
        {state.done ?? ''}
      </p>
      {state.error !== undefined ? <ErrorNotice error={state.error} /> : null}
    </div>
  )
}

function providerText(api: DataApi): string {
  switch (api.auth.provider) {
    case 'neon_auth':
      return 'Built-in auth (Neon Auth compatible): users sign in at this database’s auth URL, and the API trusts the tokens it signs.'
    case 'external':
      return `An identity provider’s tokens, verified with ${api.auth.jwks_url ?? 'its JWKS URL'}${api.auth.jwt_audience ? ` (audience ${api.auth.jwt_audience})` : ''}.`
    default:
      return 'None: no token is accepted, so every request runs as the anonymous role. Add a provider in Settings.'
  }
}

function Security({ target, api, onShowSettings }: { target: Target; api: DataApi; onShowSettings: () => void }) {
  const tables = useResource(() => listTables(target), [target.project, target.database])
  const warnings = tables.data ? rlsWarnings(tables.data.tables) : []
  return (
    <section className="card" aria-labelledby="security-heading">
      <h2 id="security-heading" className="section-title">
        Security
      </h2>
      <dl className="facts">
        <dt>Authentication</dt>
        <dd>
          {providerText(api)}{' '}
          <button type="button" className="linklike" onClick={onShowSettings}>
            Change in Settings
          </button>
        </dd>
      </dl>
      <h3 className="subsection-title">Row-level security</h3>
      {tables.state === 'failed' ? <ErrorNotice error={tables.error} onRetry={() => void tables.reload()} /> : null}
      {!tables.data ? (
        tables.state === 'loading' ? <Loading label="Checking the tables…" /> : null
      ) : warnings.length === 0 ? (
        <Notice kind="success">Every table the API exposes has row-level security enabled.</Notice>
      ) : (
        <ul className="warnings" aria-label="Tables without row-level security">
          {warnings.map((w) => (
            <RlsWarningItem key={`${w.schema}.${w.table}`} target={target} warning={w} onFixed={() => tables.reload()} />
          ))}
        </ul>
      )}
    </section>
  )
}

function RlsWarningItem({ target, warning, onFixed }: { target: Target; warning: RlsWarning; onFixed: () => Promise<void> }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const textId = `rls-${warning.schema}-${warning.table}`.replace(/[^\w-]/g, '_')
  const fix = async () => {
    setBusy(true)
    setError(undefined)
    try {
      await enableRls(target, warning.schema, warning.table)
      await onFixed()
    } catch (err) {
      setError(err)
      setBusy(false)
    }
  }
  return (
    <li className="warning">
      <span className="warning-icon" aria-hidden="true">
        !
      </span>
      <p id={textId} className="warning-text">
        {warning.text}
      </p>
      <button type="button" className="button button-small" aria-describedby={textId} onClick={() => void fix()} disabled={busy}>
        {busy ? 'Enabling…' : 'Enable RLS'}
      </button>
      {error !== undefined ? <ErrorNotice error={error} /> : null}
    </li>
  )
}
