/** Rows as a table of text: each cell through cellText, a horizontal scroll on narrow screens. */
import { cellText } from '../lib/format'

export const MAX_SHOWN_ROWS = 1000

export function DataTable({ columns, rows, caption }: { columns: readonly string[]; rows: readonly Readonly<Record<string, unknown>>[]; caption: string }) {
  const shown = rows.slice(0, MAX_SHOWN_ROWS)
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={caption}>
      <table className="table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th key={`${i}-${c}`} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((row, r) => (
            <tr key={r}>
              {columns.map((c, i) => {
                const text = cellText(row[c])
                return (
                  <td key={`${i}-${c}`} className={row[c] === null || row[c] === undefined ? 'null' : undefined}>
                    {text}
                  </td>
                )
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > shown.length ? <p className="muted small">Showing the first {MAX_SHOWN_ROWS.toLocaleString('en-US')} of {rows.length.toLocaleString('en-US')} rows.</p> : null}
    </div>
  )
}
