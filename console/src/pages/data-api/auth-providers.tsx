/**
 * "Authentication": which tokens the Data API trusts. The built-in auth service (on or off), and
 * the identity providers (JWKS URLs), one at a time as in the hosted console: "Add provider" with
 * "JWKS URL" and "JWT audience"; to replace one, remove it, then add the other.
 */
import { useState, type FormEvent } from 'react'
import { ApiError } from '../../api/client'
import { addAuthProvider, enableAuth, listAuthProviders, removeAuthProvider, type DataApi, type Provider, type Target } from '../../api/management'
import { ConfirmDialog } from '../../components/confirm-dialog'
import { ErrorNotice, Loading } from '../../components/status'
import { TextField } from '../../components/text-field'
import { useResource } from '../../components/use-resource'

function hostOf(url: string): string {
  try {
    return new URL(url).hostname
  } catch {
    return url
  }
}

export function AuthProviders({ target, api, onChanged }: { target: Target; api: DataApi; onChanged: () => Promise<void> }) {
  const providers = useResource(() => listAuthProviders(target), [target.project, target.database])
  const [adding, setAdding] = useState(false)
  const [removing, setRemoving] = useState<Provider | undefined>(undefined)
  const [turningOn, setTurningOn] = useState<{ busy: boolean; error?: unknown }>({ busy: false })
  const changed = async () => {
    await Promise.all([providers.reload(), onChanged()])
  }

  const list = providers.data?.jwks ?? []
  return (
    <section className="card" aria-labelledby="authentication-heading">
      <h2 id="authentication-heading" className="section-title">
        Authentication
      </h2>
      <dl className="facts">
        <dt>Built-in auth</dt>
        <dd>
          {api.auth.provider === 'neon_auth' ? (
            'On: the API trusts the tokens of this database’s built-in auth service (see Auth).'
          ) : (
            <>
              Off.{' '}
              <button
                type="button"
                className="button button-small"
                disabled={turningOn.busy}
                onClick={() => {
                  setTurningOn({ busy: true })
                  enableAuth(target)
                    .then(changed)
                    .then(
                      () => setTurningOn({ busy: false }),
                      (error: unknown) => setTurningOn({ busy: false, error }),
                    )
                }}
              >
                Turn on built-in auth
              </button>
            </>
          )}
        </dd>
      </dl>
      {turningOn.error !== undefined ? <ErrorNotice error={turningOn.error} /> : null}
      <h3 className="subsection-title">Identity providers</h3>
      {providers.state === 'failed' ? <ErrorNotice error={providers.error} onRetry={() => void providers.reload()} /> : null}
      {!providers.data && providers.state === 'loading' ? <Loading label="Loading the identity providers…" /> : null}
      {providers.data && list.length === 0 ? <p className="muted">No other identity provider.</p> : null}
      {list.length > 0 ? (
        <ul className="plain-list">
          {list.map((p) => (
            <li key={p.id} className="provider">
              <div>
                <p className="strong">{p.provider_name}</p>
                <p className="mono small">{p.jwks_url}</p>
                {p.jwt_audience ? <p className="small">Audience: {p.jwt_audience}</p> : null}
              </div>
              <button type="button" className="button button-small" aria-label={`Remove ${p.provider_name}`} onClick={() => setRemoving(p)}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {providers.data && list.length === 0 ? (
        adding ? (
          <AddProviderForm
            target={target}
            onDone={async () => {
              setAdding(false)
              await changed()
            }}
            onCancel={() => setAdding(false)}
          />
        ) : (
          <div>
            <button type="button" className="button" onClick={() => setAdding(true)}>
              Add provider
            </button>
          </div>
        )
      ) : list.length > 0 ? (
        <p className="help">One provider at a time: to use another, remove this one, then add it.</p>
      ) : null}
      {removing ? (
        <ConfirmDialog
          title={`Remove ${removing.provider_name}?`}
          confirmLabel="Remove"
          danger
          onConfirm={async () => {
            await removeAuthProvider(target, removing.id)
            await changed()
          }}
          onClose={() => setRemoving(undefined)}
        >
          <p>Tokens signed by {removing.provider_name} are refused from the next request on.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  )
}

function AddProviderForm({ target, onDone, onCancel }: { target: Target; onDone: () => Promise<void>; onCancel: () => void }) {
  const [jwksUrl, setJwksUrl] = useState('')
  const [audience, setAudience] = useState('')
  const [name, setName] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const fieldError = (field: string) => (error instanceof ApiError ? error.errors.find((e) => e.path === field)?.message : undefined)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      const url = jwksUrl.trim()
      await addAuthProvider(target, { jwks_url: url, provider_name: name.trim() || hostOf(url), ...(audience.trim() ? { jwt_audience: audience.trim() } : {}) })
      await onDone()
    } catch (err) {
      setError(err)
      setBusy(false)
    }
  }

  return (
    <form className="form nested" onSubmit={(e) => void submit(e)} aria-label="Add provider" noValidate>
      <TextField label="JWKS URL" type="url" value={jwksUrl} onChange={setJwksUrl} required autoFocus placeholder="https://example.com/.well-known/jwks.json" error={fieldError('jwks_url')} />
      <TextField label="JWT audience" value={audience} onChange={setAudience} help="Optional: tokens must carry this audience (aud)." error={fieldError('jwt_audience')} />
      <TextField label="Provider name" value={name} onChange={setName} help="Optional: Clerk, Auth0… (default: the URL’s host)." error={fieldError('provider_name')} />
      {error !== undefined && !(error instanceof ApiError && error.errors.length > 0) ? <ErrorNotice error={error} /> : null}
      <div className="row">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save provider'}
        </button>
        <button type="button" className="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  )
}
