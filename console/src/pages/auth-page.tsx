/**
 * Auth: the database's built-in auth service (its URL, JWKS URL and API reference), its users
 * (search, delete) and the origins it trusts.
 */
import { useState, type FormEvent } from 'react'
import { ApiError } from '../api/client'
import {
  addTrustedDomain,
  deleteAuthUser,
  deleteTrustedDomain,
  enableAuth,
  getAuth,
  listAuthUsers,
  listTrustedDomains,
  type AuthUser,
  type Target,
} from '../api/management'
import { ConfirmDialog } from '../components/confirm-dialog'
import { CopyField } from '../components/copy-field'
import { ErrorNotice, Loading, Notice } from '../components/status'
import { TextField } from '../components/text-field'
import { useResource } from '../components/use-resource'
import { dateTime, plural, safeHref } from '../lib/format'

const USERS_PAGE = 50

export function AuthPage({ target }: { target: Target }) {
  const service = useResource(
    () =>
      getAuth(target).then(
        (auth) => ({ on: true as const, auth }),
        (err: unknown) => {
          if (err instanceof ApiError && err.status === 404) return { on: false as const, reason: err.message }
          throw err
        },
      ),
    [target.project, target.database],
  )
  const [turningOn, setTurningOn] = useState<{ busy: boolean; error?: unknown }>({ busy: false })

  if (service.state === 'failed') return <ErrorNotice title="The auth service could not be read" error={service.error} onRetry={() => void service.reload()} />
  if (!service.data) return <Loading label="Loading the auth service…" />
  if (!service.data.on) {
    return (
      <div className="stack">
        <Notice kind="info">
          <p>{service.data.reason}</p>
        </Notice>
        <div>
          <button
            type="button"
            className="button button-primary"
            disabled={turningOn.busy}
            onClick={() => {
              setTurningOn({ busy: true })
              enableAuth(target).then(
                () => {
                  setTurningOn({ busy: false })
                  void service.reload()
                },
                (error: unknown) => setTurningOn({ busy: false, error }),
              )
            }}
          >
            Turn on built-in auth
          </button>
        </div>
        {turningOn.error !== undefined ? <ErrorNotice error={turningOn.error} /> : null}
      </div>
    )
  }

  const { auth } = service.data
  const reference = safeHref(`${auth.base_url}/reference`)
  return (
    <div className="stack">
      <section className="card" aria-labelledby="service-heading">
        <h2 id="service-heading" className="section-title">
          Built-in auth service
        </h2>
        <CopyField label="Auth URL" value={auth.base_url} />
        <CopyField label="JWKS URL" value={auth.jwks_url} />
        {reference ? (
          <p>
            <a href={reference} target="_blank" rel="noopener noreferrer">
              API reference
            </a>{' '}
            <span className="muted small">(sign up, sign in, sessions: try them in the browser)</span>
          </p>
        ) : null}
      </section>
      <Users target={target} />
      <TrustedOrigins target={target} />
    </div>
  )
}

function Users({ target }: { target: Target }) {
  const [search, setSearch] = useState('')
  const [query, setQuery] = useState('')
  const [offset, setOffset] = useState(0)
  const [deleting, setDeleting] = useState<AuthUser | undefined>(undefined)
  const users = useResource(() => listAuthUsers(target, query, USERS_PAGE, offset), [target.project, target.database, query, offset])
  const page = users.data

  const submit = (event: FormEvent) => {
    event.preventDefault()
    setOffset(0)
    setQuery(search.trim())
  }

  return (
    <section className="card" aria-labelledby="users-heading">
      <div className="row space-between">
        <h2 id="users-heading" className="section-title">
          Users
        </h2>
        <p className="muted small" role="status">
          {page ? plural(page.total, query ? 'user matches' : 'user', query ? 'users match' : 'users') : ''}
        </p>
      </div>
      <form className="row form-row" role="search" onSubmit={submit}>
        <TextField label="Search users" type="search" value={search} onChange={setSearch} placeholder="Part of an email or name" />
        <button type="submit" className="button">
          Search
        </button>
      </form>
      {users.state === 'failed' ? <ErrorNotice error={users.error} onRetry={() => void users.reload()} /> : null}
      {!page && users.state === 'loading' ? <Loading label="Loading users…" /> : null}
      {page && page.users.length === 0 ? <p className="muted">{query ? 'No user matches.' : 'No users yet: they appear here once they sign up.'}</p> : null}
      {page && page.users.length > 0 ? (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Users">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Name</th>
                <th scope="col">Verified</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {page.users.map((u) => (
                <tr key={u.id}>
                  <td>{u.email}</td>
                  <td>{u.name}</td>
                  <td>{u.email_verified ? 'yes' : 'no'}</td>
                  <td>{dateTime(u.created_at)}</td>
                  <td>
                    <button type="button" className="button button-small" aria-label={`Delete ${u.email}`} onClick={() => setDeleting(u)}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {page && page.total > USERS_PAGE ? (
        <div className="row">
          <button type="button" className="button button-small" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - USERS_PAGE))}>
            Previous page
          </button>
          <button type="button" className="button button-small" disabled={offset + USERS_PAGE >= page.total} onClick={() => setOffset(offset + USERS_PAGE)}>
            Next page
          </button>
        </div>
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete ${deleting.email}?`}
          confirmLabel="Delete user"
          danger
          onConfirm={async () => {
            await deleteAuthUser(target, deleting.id)
            await users.reload()
          }}
          onClose={() => setDeleting(undefined)}
        >
          <p>The user, their sessions and their accounts are deleted. Their rows in your tables stay.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  )
}

function TrustedOrigins({ target }: { target: Target }) {
  const domains = useResource(() => listTrustedDomains(target), [target.project, target.database])
  const [origin, setOrigin] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const fieldError = error instanceof ApiError ? error.errors.find((e) => e.path === 'domain')?.message : undefined

  const change = async (action: () => Promise<unknown>) => {
    setBusy(true)
    setError(undefined)
    try {
      await action()
      await domains.reload()
      return true
    } catch (err) {
      setError(err)
      return false
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="card" aria-labelledby="origins-heading">
      <h2 id="origins-heading" className="section-title">
        Trusted origins
      </h2>
      <p className="help">Web apps at these origins may call the auth service from the browser (localhost is trusted while developing).</p>
      {domains.state === 'failed' ? <ErrorNotice error={domains.error} onRetry={() => void domains.reload()} /> : null}
      {!domains.data && domains.state === 'loading' ? <Loading label="Loading the trusted origins…" /> : null}
      {domains.data && domains.data.domains.length === 0 ? <p className="muted">None yet.</p> : null}
      <ul className="plain-list">
        {domains.data?.domains.map((d) => (
          <li key={d.domain} className="row space-between origin">
            <span className="mono">{d.domain}</span>
            <button type="button" className="button button-small" aria-label={`Remove ${d.domain}`} disabled={busy} onClick={() => void change(() => deleteTrustedDomain(target, d.domain))}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <form
        className="row form-row"
        noValidate
        onSubmit={(e) => {
          e.preventDefault()
          void change(() => addTrustedDomain(target, origin.trim())).then((ok) => ok && setOrigin(''))
        }}
      >
        <TextField label="Origin" type="url" value={origin} onChange={setOrigin} placeholder="https://app.example.com" error={fieldError} />
        <button type="submit" className="button" disabled={busy}>
          Add origin
        </button>
      </form>
      {error !== undefined && !fieldError ? <ErrorNotice error={error} /> : null}
    </section>
  )
}
