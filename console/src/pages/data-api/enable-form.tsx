/**
 * Enabling the Data API (create_data_api), as the hosted console offers it: the built-in auth
 * service or another provider's JWKS URL, and the "Grant public schema access" statements, shown
 * before they run.
 */
import { useId, useState, type FormEvent } from 'react'
import { DEFAULT_GRANTS } from '../../../../src/admin/default-grants'
import { ApiError } from '../../api/client'
import { createDataApi, type CreateDataApi, type Target } from '../../api/management'
import { CheckField } from '../../components/check-field'
import { ErrorNotice } from '../../components/status'
import { TextField } from '../../components/text-field'
import { plural } from '../../lib/format'

export function EnableForm({ target, onEnabled }: { target: Target; onEnabled: (message: string) => void }) {
  const [builtInAuth, setBuiltInAuth] = useState(true)
  const [grants, setGrants] = useState(false)
  const [showGrants, setShowGrants] = useState(false)
  const [jwksUrl, setJwksUrl] = useState('')
  const [audience, setAudience] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const grantsId = useId()

  const fieldError = (field: string) => (error instanceof ApiError ? error.errors.find((e) => e.path === field)?.message : undefined)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setError(undefined)
    const body: CreateDataApi = builtInAuth
      ? { auth_provider: 'neon_auth' }
      : jwksUrl.trim()
        ? { auth_provider: 'external', jwks_url: jwksUrl.trim(), ...(audience.trim() ? { jwt_audience: audience.trim() } : {}) }
        : { auth_provider: 'none' }
    try {
      const created = await createDataApi(target, { ...body, add_default_grants: grants })
      const applied = created.grants ? ` Applied ${plural(created.grants.length, 'GRANT statement')}.` : ''
      const warnings = created.warnings?.length ? ` ${created.warnings.join(' ')}` : ''
      onEnabled(`The Data API is enabled for ${target.database}.${applied}${warnings}`)
    } catch (err) {
      setError(err)
      setBusy(false)
    }
  }

  return (
    <form className="card form" onSubmit={(e) => void submit(e)} aria-label="Enable the Data API">
      <p>
        The Data API serves the tables of <strong>{target.database}</strong> over HTTP, PostgREST style. Each request runs as the role of its token, and
        row-level security decides which rows it sees.
      </p>
      <fieldset className="fieldset">
        <legend>Authentication</legend>
        <CheckField
          label="Use built-in auth"
          checked={builtInAuth}
          onChange={setBuiltInAuth}
          help="Users sign up and sign in at the database’s auth URL (Neon Auth compatible); the Data API trusts the tokens it signs."
        />
        {builtInAuth ? null : (
          <div className="nested">
            <p className="help">Or trust another identity provider (Auth0, Clerk, Cognito, Firebase, Keycloak…). Leave empty to add one later.</p>
            <TextField label="JWKS URL" value={jwksUrl} onChange={setJwksUrl} type="url" placeholder="https://example.com/.well-known/jwks.json" error={fieldError('jwks_url')} />
            <TextField label="JWT audience" value={audience} onChange={setAudience} help="Optional: tokens must carry this audience." error={fieldError('jwt_audience')} />
          </div>
        )}
      </fieldset>
      <fieldset className="fieldset">
        <legend>Permissions</legend>
        <CheckField
          label="Grant public schema access"
          checked={grants}
          onChange={setGrants}
          help="Lets signed-in users (role authenticated) use the tables of schema public; row-level security still decides which rows."
        />
        <button type="button" className="disclosure" aria-expanded={showGrants} aria-controls={grantsId} onClick={() => setShowGrants((s) => !s)}>
          View the GRANT statements applied
        </button>
        <pre id={grantsId} className="code" hidden={!showGrants}>
          {DEFAULT_GRANTS.join('\n')}
        </pre>
      </fieldset>
      {error !== undefined && !(error instanceof ApiError && error.errors.length > 0) ? <ErrorNotice error={error} /> : null}
      <div>
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Enabling…' : 'Enable Data API'}
        </button>
      </div>
    </form>
  )
}
