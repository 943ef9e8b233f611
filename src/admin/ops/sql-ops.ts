/**
 * SQL as the database owner (the role data-api connects as): `sql` runs any statements, `query`
 * runs one statement in a READ ONLY transaction, for agents and dashboards that must not change
 * data by mistake. It is a guard against accidents, not a sandbox: whoever holds the admin key may
 * run any SQL with `sql` anyway.
 */
import { z } from 'zod'
import type { Database, QueryResult } from '../../db/database.js'
import { withTarget } from '../admin-context.js'
import { refreshSchema } from '../data-api-state.js'
import { target } from '../inputs.js'
import { AdminError, defineOperation } from '../operation.js'

/** A database error as the management layer answers it: its SQLSTATE, message, detail, hint and position. */
export function sqlError(err: unknown): AdminError {
  const e = err as { code?: unknown; message?: string; detail?: unknown; hint?: unknown; position?: unknown }
  const code = typeof e.code === 'string' ? e.code : undefined
  if (code && /^E[A-Z]+$/.test(code)) return new AdminError(503, 'DATABASE_UNAVAILABLE', `The database did not answer: ${e.message ?? code}`)
  return new AdminError(400, code ?? 'SQL_ERROR', e.message ?? String(err), {
    detail: typeof e.detail === 'string' ? e.detail : null,
    hint: typeof e.hint === 'string' ? e.hint : null,
    position: e.position === undefined || e.position === null ? null : Number(e.position),
  })
}

const sqlText = z.string().min(1, 'give the SQL to run').max(1_000_000, 'is too long (1 MB at most)')

export const runSql = defineOperation({
  name: 'run_sql',
  title: 'Run SQL',
  description:
    'Runs SQL statements (several, separated by ;) as the database owner and answers one result per statement, then refreshes the schema cache. For schema changes, data fixes and grants; use query for read-only questions.',
  input: z.object({ ...target, sql: sqlText.describe('the statements to run') }).strict(),
  destructive: true,
  http: { method: 'POST', path: '/projects/{project_id}/branches/{branch_id}/databases/{database_name}/sql' },
  cli: {
    command: ['sql'],
    args: ['sql'],
    examples: [
      `data-api sql "create table notes (id int primary key, body text)"`,
      `data-api sql -- "-- comments first are fine" `,
      'data-api sql --file schema.sql',
      'cat schema.sql | data-api sql -',
    ],
  },
  run: async (ctx, input) =>
    withTarget(ctx, input, async (db, name) => {
      const started = performance.now()
      let results: QueryResult[]
      try {
        results = await db.exec(input.sql)
      } catch (err) {
        throw sqlError(err)
      } finally {
        // DDL reloads through the event trigger too, but the caller should see its change at once
        await refreshSchema(ctx, db, name).catch(() => undefined)
      }
      return { results, duration_ms: Math.round(performance.now() - started) }
    }),
})

/** One statement (the extended protocol takes no more) in a read-only transaction, which it cannot switch off. */
async function readOnlyRows(db: Database, text: string): Promise<QueryResult> {
  const rows = await db.run({ env: { text: 'select 1', values: [] }, main: { text, values: [] }, readOnly: true })
  return { fields: rows[0] ? Object.keys(rows[0]) : [], rows, command: 'SELECT', rowCount: rows.length }
}

export const querySql = defineOperation({
  name: 'query',
  title: 'Query (read-only)',
  description:
    'Runs one read-only SQL statement (SELECT, WITH, EXPLAIN, SHOW...) and answers its rows, values as text. Nothing can be written: the statement runs in a READ ONLY transaction.',
  input: z.object({ ...target, sql: sqlText.describe('one read-only statement') }).strict(),
  readOnly: true,
  http: { method: 'POST', path: '/projects/{project_id}/branches/{branch_id}/databases/{database_name}/query' },
  cli: { command: ['query'], args: ['sql'], examples: [`data-api query "select count(*) from posts"`] },
  run: async (ctx, input) =>
    withTarget(ctx, input, async (db) => {
      const started = performance.now()
      try {
        const result = await readOnlyRows(db, input.sql)
        return { results: [result], duration_ms: Math.round(performance.now() - started) }
      } catch (err) {
        if (err instanceof AdminError) throw err
        throw sqlError(err)
      }
    }),
})
