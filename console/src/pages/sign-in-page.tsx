/**
 * Signing in with the admin key (the banner's one-time link signs in without it). The key goes to
 * the server once, for a session cookie the page cannot read; it is not kept in the page.
 */
import { useId, useState, type FormEvent } from 'react'
import { signIn } from '../api/client'
import { ErrorNotice, Notice } from '../components/status'

export function SignInPage({ linkInvalid, onSignedIn }: { linkInvalid: boolean; onSignedIn: () => void }) {
  const keyId = useId()
  const helpId = useId()
  const [key, setKey] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      await signIn(key)
      setKey('')
      onSignedIn()
    } catch (err) {
      setError(err)
      setBusy(false)
    }
  }

  return (
    <main className="center">
      <div className="card signin">
        <p className="brand">
          <span className="brand-mark" aria-hidden="true" />
          data-api <span className="brand-sub">console</span>
        </p>
        <h1 className="signin-title">Sign in</h1>
        {linkInvalid ? (
          <Notice kind="warning">
            <p>
              That sign-in link has expired or was used already. Sign in with the admin key, or run <code>data-api console</code> for a new link.
            </p>
          </Notice>
        ) : null}
        <form onSubmit={(e) => void submit(e)} className="form">
          {/* the account a password manager files the key under; there is only one */}
          <input type="text" name="username" autoComplete="username" value="admin" readOnly hidden />
          <div className="field">
            <label htmlFor={keyId} className="label">
              Admin key
            </label>
            <input
              id={keyId}
              className="input mono"
              type="password"
              autoComplete="current-password"
              required
              value={key}
              onChange={(e) => setKey(e.target.value)}
              aria-describedby={helpId}
              aria-invalid={error !== undefined}
            />
            <p id={helpId} className="help">
              Embedded: the file <code>admin-key</code> in the data folder (<code>.data-api/admin-key</code>). PostgreSQL: <code>DATA_API_ADMIN_KEY</code>. The
              server’s startup banner also prints a one-time sign-in link.
            </p>
          </div>
          {error !== undefined ? <ErrorNotice error={error} /> : null}
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </div>
    </main>
  )
}
