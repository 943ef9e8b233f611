/**
 * The console's shell: finds out whether the session is valid (the first API call answers 401 when
 * it is not), then shows the sign-in form or the pages, with the navigation, the database picker
 * (where the server has more than one database) and "Sign out".
 */
import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react'
import { onSignedOut, signOut } from './api/client'
import { listDatabases, listProjects, type Database, type Project, type Target } from './api/management'
import { ErrorBoundary } from './components/error-boundary'
import { ErrorNotice, Loading } from './components/status'
import { PAGES, routeHref, useRoute, type PageId } from './lib/route'
import { AdvisorsPage } from './pages/advisors-page'
import { AuthPage } from './pages/auth-page'
import { DataApiPage } from './pages/data-api-page'
import { SignInPage } from './pages/sign-in-page'
import { TablesPage } from './pages/tables-page'

// CodeMirror is only needed on this page: it loads when the page is first opened
const SqlEditorPage = lazy(() => import('./pages/sql-editor-page'))

type Session =
  | Readonly<{ state: 'checking' }>
  | Readonly<{ state: 'signed-out'; linkInvalid?: boolean }>
  | Readonly<{ state: 'failed'; error: unknown }>
  | Readonly<{ state: 'signed-in'; project: Project; databases: readonly Database[] }>

/** Whether the sign-in link the banner printed was no good: the server sent us here with ?signin=link-invalid. */
function takeLinkInvalid(): boolean {
  const params = new URLSearchParams(window.location.search)
  if (params.get('signin') !== 'link-invalid') return false
  window.history.replaceState(null, '', `${window.location.pathname}${window.location.hash}`)
  return true
}

export function App() {
  const [session, setSession] = useState<Session>({ state: 'checking' })
  const linkInvalid = useRef(takeLinkInvalid())

  const check = useCallback(async () => {
    setSession({ state: 'checking' })
    try {
      const { projects } = await listProjects()
      const project = projects[0]
      if (!project) throw new Error('The server answered no project.')
      const databases = await listDatabases(project.id).then(
        (r) => r.databases,
        () => [] as Database[],
      )
      setSession({ state: 'signed-in', project, databases })
    } catch (error) {
      // a 401 has set the state to signed-out already
      setSession((s) => (s.state === 'signed-out' ? s : { state: 'failed', error }))
    }
  }, [])

  useEffect(() => {
    onSignedOut(() => setSession({ state: 'signed-out', linkInvalid: linkInvalid.current }))
    void check()
  }, [check])

  switch (session.state) {
    case 'checking':
      return (
        <main className="center">
          <Loading label="Connecting to the server…" />
        </main>
      )
    case 'failed':
      return (
        <main className="center">
          <ErrorNotice title="The console could not reach the management API" error={session.error} onRetry={() => void check()} />
        </main>
      )
    case 'signed-out':
      return (
        <SignInPage
          linkInvalid={session.linkInvalid === true}
          onSignedIn={() => {
            linkInvalid.current = false
            void check()
          }}
        />
      )
    case 'signed-in':
      return <Shell project={session.project} databases={session.databases} onSignOut={() => setSession({ state: 'signed-out' })} />
  }
}

function Shell({ project, databases, onSignOut }: { project: Project; databases: readonly Database[]; onSignOut: () => void }) {
  const route = useRoute()
  const database = route.database ?? project.default_database
  const target: Target = { project: project.id, database }
  const page = PAGES.find((p) => p.id === route.page)!
  const heading = useRef<HTMLHeadingElement>(null)
  const [signOutError, setSignOutError] = useState<unknown>(undefined)
  const first = useRef(true)

  useEffect(() => {
    document.title = `${page.label} · ${database} · data-api console`
    // a new page: move focus to its heading, so keyboard and screen reader users start there
    if (!first.current) heading.current?.focus()
    first.current = false
  }, [page.label, database])

  const href = (id: PageId) => routeHref({ page: id, database: route.database })

  return (
    <div className="shell">
      <a className="skip-link" href="#main" onClick={(e) => (e.preventDefault(), heading.current?.focus())}>
        Skip to content
      </a>
      <header className="topbar">
        <a className="brand" href={href('data-api')}>
          <span className="brand-mark" aria-hidden="true" />
          data-api <span className="brand-sub">console</span>
        </a>
        <div className="topbar-end">
          {databases.length > 1 ? (
            <label className="picker">
              <span>Database</span>
              <select
                className="select"
                value={database}
                onChange={(e) => {
                  window.location.hash = routeHref({ page: route.page, database: e.target.value === project.default_database ? undefined : e.target.value })
                }}
              >
                {databases.map((d) => (
                  <option key={d.name} value={d.name}>
                    {d.name}
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <span className="muted small">
              Database <strong>{database}</strong>
            </span>
          )}
          <button
            type="button"
            className="button button-small"
            onClick={() =>
              void signOut().then(onSignOut, (err: unknown) => {
                setSignOutError(err)
              })
            }
          >
            Sign out
          </button>
        </div>
      </header>
      <nav className="sidenav" aria-label="Console">
        <ul>
          {PAGES.map((p) => (
            <li key={p.id}>
              <a href={href(p.id)} aria-current={p.id === route.page ? 'page' : undefined} className="navlink">
                {p.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="main">
        {signOutError !== undefined ? <ErrorNotice title="Signing out failed" error={signOutError} /> : null}
        <h1 ref={heading} tabIndex={-1} className="page-title">
          {page.label}
        </h1>
        <ErrorBoundary key={`${route.page}:${database}`}>
          <Page page={route.page} target={target} />
        </ErrorBoundary>
      </main>
    </div>
  )
}

function Page({ page, target }: { page: PageId; target: Target }) {
  switch (page) {
    case 'data-api':
      return <DataApiPage target={target} />
    case 'sql':
      return (
        <Suspense fallback={<Loading label="Loading the SQL editor…" />}>
          <SqlEditorPage target={target} />
        </Suspense>
      )
    case 'tables':
      return <TablesPage target={target} />
    case 'auth':
      return <AuthPage target={target} />
    case 'advisors':
      return <AdvisorsPage target={target} />
  }
}
