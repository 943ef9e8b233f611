/**
 * Tables as the console and agents see them: list (with row-level security, policies, columns and
 * whether the API exposes them), enable row-level security on one, and page through its rows.
 */
import { z } from 'zod'
import { quoteIdent } from '../../sql/fragment.js'
import { withTarget } from '../admin-context.js'
import { dataApiState, refreshSchema } from '../data-api-state.js'
import { identifier, target } from '../inputs.js'
import { defineOperation, notFound } from '../operation.js'
import { sqlError } from './sql-ops.js'

const TABLES = `
select n.nspname::text as schema, c.relname::text as name,
  case c.relkind when 'r' then 'table' when 'p' then 'table' when 'v' then 'view' when 'm' then 'materialized view' when 'f' then 'foreign table' end as kind,
  c.relrowsecurity as rls_enabled, c.relforcerowsecurity as rls_forced,
  greatest(c.reltuples, 0)::bigint::text as estimated_rows,
  exists (select from pg_constraint k where k.conrelid = c.oid and k.contype = 'p') as has_primary_key,
  coalesce((select json_agg(json_build_object(
      'name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'nullable', not a.attnotnull,
      'default', pg_get_expr(d.adbin, d.adrelid), 'identity', nullif(a.attidentity, ''), 'generated', nullif(a.attgenerated, ''))
      order by a.attnum)
    from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '[]') as columns,
  coalesce((select json_agg(json_build_object(
      'name', p.polname,
      'command', case p.polcmd when 'r' then 'SELECT' when 'a' then 'INSERT' when 'w' then 'UPDATE' when 'd' then 'DELETE' else 'ALL' end,
      'permissive', p.polpermissive,
      'roles', case when p.polroles = '{0}' then array['public'] else array(select rolname from pg_roles where oid = any(p.polroles) order by 1) end,
      'using', pg_get_expr(p.polqual, p.polrelid), 'with_check', pg_get_expr(p.polwithcheck, p.polrelid)) order by p.polname)
    from pg_policy p where p.polrelid = c.oid), '[]') as policies
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p', 'v', 'm', 'f')
  and n.nspname not like 'pg\\_%' and n.nspname not in ('information_schema', 'data_api', 'neon_auth')
  and ($1::text[] is null or n.nspname = any($1::text[]))
order by 1, 2`

export type TableRow = {
  schema: string
  name: string
  kind: string
  rls_enabled: boolean
  rls_forced: boolean
  estimated_rows: string
  has_primary_key: boolean
  columns: unknown
  policies: unknown
}

export const listTables = defineOperation({
  name: 'list_tables',
  title: 'List tables',
  description:
    'Tables and views of a database: row-level security on or off, their policies with expressions, estimated rows, columns with types and defaults, and whether the Data API exposes them (their schema is one of db_schemas).',
  input: z.object({ ...target, schemas: z.array(identifier).optional().describe('only these schemas (default: all but the system’s)') }).strict(),
  readOnly: true,
  http: { method: 'GET', path: '/projects/{project_id}/branches/{branch_id}/databases/{database_name}/tables', query: ['schemas'] },
  cli: {
    command: ['tables'],
    examples: ['data-api tables', 'data-api tables --schemas public,api --output json'],
  },
  run: async (ctx, input) =>
    withTarget(ctx, input, async (db) => {
      const state = await dataApiState(ctx.base, db)
      const exposed = new Set(state.enabled ? state.resolved.config.schemas : [])
      const rows = await db.query<TableRow>(TABLES, [input.schemas ?? null])
      return {
        tables: rows.map((t) => ({
          ...t,
          estimated_rows: Number(t.estimated_rows),
          exposed: exposed.has(t.schema),
        })),
      }
    }),
})

async function tableExists(db: Parameters<Parameters<typeof withTarget>[2]>[0], schema: string, table: string): Promise<boolean> {
  const [row] = await db.query<{ found: boolean }>(
    `select exists (select from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = $1 and c.relname = $2 and c.relkind in ('r', 'p', 'v', 'm', 'f')) as found`,
    [schema, table],
  )
  return row?.found === true
}

export const enableRls = defineOperation({
  name: 'enable_rls',
  title: 'Enable row-level security',
  description:
    'Turns on row-level security for one table: from then on a role sees only the rows a policy allows (none, until policies are added). The answer includes the statement that was run.',
  input: z.object({ ...target, schema: identifier.default('public'), table: identifier.describe('the table') }).strict(),
  http: { method: 'POST', path: '/projects/{project_id}/branches/{branch_id}/databases/{database_name}/tables/{schema}/{table}/enable-rls' },
  cli: { command: ['enable-rls'], args: ['table'], examples: ['data-api enable-rls posts', 'data-api enable-rls orders --schema shop'] },
  run: async (ctx, input) =>
    withTarget(ctx, input, async (db, name) => {
      if (!(await tableExists(db, input.schema, input.table))) throw notFound(`Table ${input.schema}.${input.table} does not exist.`)
      // quoted by PostgreSQL as it prints names (only where needed), since the statement is shown
      const [{ statement }] = (await db.query<{ statement: string }>(`select format('ALTER TABLE %I.%I ENABLE ROW LEVEL SECURITY;', $1::text, $2::text) as statement`, [
        input.schema,
        input.table,
      ])) as [{ statement: string }]
      try {
        await db.exec(statement)
      } catch (err) {
        throw sqlError(err)
      }
      await refreshSchema(ctx, db, name).catch(() => undefined)
      return { schema: input.schema, table: input.table, rls_enabled: true, sql: statement }
    }),
})

export const tableRows = defineOperation({
  name: 'list_table_rows',
  title: 'Browse rows',
  description: 'A page of a table’s rows, as the database owner (row-level security does not apply), with the total count.',
  input: z
    .object({
      ...target,
      schema: identifier.default('public'),
      table: identifier,
      limit: z.coerce.number().int().min(1).max(1000).default(50),
      offset: z.coerce.number().int().min(0).default(0),
    })
    .strict(),
  readOnly: true,
  http: { method: 'GET', path: '/projects/{project_id}/branches/{branch_id}/databases/{database_name}/tables/{schema}/{table}/rows', query: ['limit', 'offset'] },
  cli: { command: ['rows'], args: ['table'], examples: ['data-api rows posts --limit 10'] },
  run: async (ctx, input) =>
    withTarget(ctx, input, async (db) => {
      if (!(await tableExists(db, input.schema, input.table))) throw notFound(`Table ${input.schema}.${input.table} does not exist.`)
      const relation = `${quoteIdent(input.schema)}.${quoteIdent(input.table)}`
      try {
        const [page] = await db.query<{ rows: unknown[]; columns: string[]; total: string }>(
          `select coalesce((select json_agg(t) from (select * from ${relation} limit $1 offset $2) t), '[]') as rows,
             array(select a.attname::text from pg_attribute a where a.attrelid = $3::regclass and a.attnum > 0 and not a.attisdropped order by a.attnum) as columns,
             (select count(*) from ${relation})::text as total`,
          [input.limit, input.offset, relation],
        )
        return { columns: page!.columns, rows: page!.rows, total: Number(page!.total), limit: input.limit, offset: input.offset }
      } catch (err) {
        throw sqlError(err)
      }
    }),
})
