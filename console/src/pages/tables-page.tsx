/**
 * Tables: every schema's tables and views with row-level security, estimated rows, columns (types,
 * defaults) and policies (their expressions), and a paged, read-only view of a table's rows.
 */
import { useState } from 'react'
import { listTableRows, listTables, type Table, type Target } from '../api/management'
import { DataTable } from '../components/data-table'
import { ErrorNotice, Loading } from '../components/status'
import { useResource } from '../components/use-resource'
import { plural } from '../lib/format'
import { tableLabel } from '../lib/rls-warnings'

const PAGE_SIZE = 50

export function TablesPage({ target }: { target: Target }) {
  const tables = useResource(() => listTables(target), [target.project, target.database])
  const [selected, setSelected] = useState<string | undefined>(undefined)

  if (tables.state === 'failed' && !tables.data) return <ErrorNotice title="The tables could not be listed" error={tables.error} onRetry={() => void tables.reload()} />
  if (!tables.data) return <Loading label="Loading the tables…" />

  const list = tables.data.tables
  if (list.length === 0) return <p className="muted">No tables yet. Create some in the SQL Editor.</p>
  const current = list.find((t) => `${t.schema}.${t.name}` === selected) ?? list[0]!
  const schemas = [...new Set(list.map((t) => t.schema))]

  return (
    <div className="tables-page">
      <nav className="table-list card" aria-label="Tables">
        {schemas.map((schema) => (
          <div key={schema}>
            <h2 className="list-heading">{schema}</h2>
            <ul className="plain-list">
              {list
                .filter((t) => t.schema === schema)
                .map((t) => {
                  const key = `${t.schema}.${t.name}`
                  return (
                    <li key={key}>
                      <button type="button" className="table-link" aria-current={key === `${current.schema}.${current.name}` ? 'true' : undefined} onClick={() => setSelected(key)}>
                        <span>{t.name}</span>
                        <span className={`badge ${t.kind !== 'table' ? 'badge-muted' : t.rls_enabled ? 'badge-ok' : 'badge-warn'}`}>
                          {t.kind !== 'table' ? t.kind : t.rls_enabled ? 'RLS' : 'no RLS'}
                        </span>
                      </button>
                    </li>
                  )
                })}
            </ul>
          </div>
        ))}
      </nav>
      <TableDetails key={`${current.schema}.${current.name}`} target={target} table={current} />
    </div>
  )
}

function TableDetails({ target, table }: { target: Target; table: Table }) {
  return (
    <div className="stack table-details">
      <section className="card" aria-labelledby="table-heading">
        <h2 id="table-heading" className="section-title mono">
          {table.schema}.{table.name}
        </h2>
        <dl className="facts facts-inline">
          <dt>Kind</dt>
          <dd>{table.kind}</dd>
          <dt>Row-level security</dt>
          <dd>{table.kind !== 'table' ? 'not applicable' : table.rls_enabled ? `enabled${table.rls_forced ? ' (forced)' : ''}` : 'disabled'}</dd>
          <dt>Estimated rows</dt>
          <dd>{table.estimated_rows.toLocaleString('en-US')}</dd>
          <dt>In the API</dt>
          <dd>{table.exposed ? `yes, as /${tableLabel(table.schema, table.name)}` : 'no (its schema is not exposed)'}</dd>
        </dl>
        <h3 className="subsection-title">Columns</h3>
        <div className="table-scroll" tabIndex={0} role="region" aria-label={`Columns of ${table.name}`}>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Nullable</th>
                <th scope="col">Default</th>
              </tr>
            </thead>
            <tbody>
              {table.columns.map((c) => (
                <tr key={c.name}>
                  <td className="mono">{c.name}</td>
                  <td className="mono">{c.type}</td>
                  <td>{c.nullable ? 'yes' : 'no'}</td>
                  <td className="mono">{c.identity ? `identity (${c.identity === 'a' ? 'always' : 'by default'})` : c.generated ? `generated: ${c.default ?? ''}` : (c.default ?? '')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <h3 className="subsection-title">Policies</h3>
        {table.policies.length === 0 ? (
          <p className="muted small">{table.rls_enabled ? 'None: with RLS enabled and no policy, no role but the owner sees any row.' : 'None.'}</p>
        ) : (
          <div className="table-scroll" tabIndex={0} role="region" aria-label={`Policies of ${table.name}`}>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Command</th>
                  <th scope="col">Roles</th>
                  <th scope="col">Using</th>
                  <th scope="col">With check</th>
                </tr>
              </thead>
              <tbody>
                {table.policies.map((p) => (
                  <tr key={p.name}>
                    <td>
                      {p.name}
                      {p.permissive ? '' : ' (restrictive)'}
                    </td>
                    <td>{p.command}</td>
                    <td>{p.roles.join(', ')}</td>
                    <td className="mono">{p.using ?? ''}</td>
                    <td className="mono">{p.with_check ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <RowBrowser target={target} table={table} />
    </div>
  )
}

function RowBrowser({ target, table }: { target: Target; table: Table }) {
  const [offset, setOffset] = useState(0)
  const rows = useResource(() => listTableRows(target, table.schema, table.name, PAGE_SIZE, offset), [target.project, target.database, table.schema, table.name, offset])
  const page = rows.data
  const last = page ? Math.min(page.offset + page.rows.length, page.total) : 0
  return (
    <section className="card" aria-labelledby="rows-heading">
      <div className="row space-between">
        <h2 id="rows-heading" className="section-title">
          Rows
        </h2>
        <p className="muted small" role="status">
          {page ? (page.total === 0 ? 'No rows.' : `Rows ${(page.offset + 1).toLocaleString('en-US')}–${last.toLocaleString('en-US')} of ${plural(page.total, 'row')}`) : ''}
        </p>
      </div>
      {rows.state === 'failed' ? <ErrorNotice error={rows.error} onRetry={() => void rows.reload()} /> : null}
      {!page && rows.state === 'loading' ? <Loading label="Loading rows…" /> : null}
      {page && page.rows.length > 0 ? <DataTable columns={page.columns} rows={page.rows} caption={`Rows of ${table.name}`} /> : null}
      <div className="row">
        <button type="button" className="button button-small" disabled={!page || offset === 0 || rows.state === 'loading'} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
          Previous page
        </button>
        <button type="button" className="button button-small" disabled={!page || last >= page.total || rows.state === 'loading'} onClick={() => setOffset(offset + PAGE_SIZE)}>
          Next page
        </button>
      </div>
    </section>
  )
}
