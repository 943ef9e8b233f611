/**
 * Stage 3 (build SQL). MutatePlan → one statement: the INSERT/UPDATE/DELETE in a CTE, the
 * representation read over its RETURNING rows, and the bookkeeping the response needs (affected
 * rows, rows actually inserted by an upsert, the Location key). Values only as parameters; the
 * payload travels as one JSON parameter expanded by json_populate_recordset into the table's row type,
 * so no column type text is ever written into SQL. Mirrors PostgREST Query/QueryBuilder.hs (mutatePlanToQuery).
 */
import type { MutatePlan, PlanCondition } from '../plan/types.js'
import { empty, ident, join, param, qi, sql, type Sql } from '../../sql/fragment.js'
import { bodySql } from './body-sql.js'
import { pgArrayLiteral } from '../../sql/array-literal.js'
import { conditionSql, nodeSelect, opExprSql, orderSql } from './read-query.js'

const SOURCE = ident('pgrst_source')
const BODY = ident('pgrst_body')
const T = sql`"_postgrest_t"`

function hasEmbedNull(c: PlanCondition): boolean {
  return c.kind === 'embedNull' || (c.kind === 'expr' && c.children.some(hasEmbedNull))
}

/** The mutation's WHERE: root filters (null-embed filters only shape the representation). */
function whereSql(plan: MutatePlan, alias: string): Sql[] {
  const node = plan.representation
  return plan.where.filter((c) => !hasEmbedNull(c)).map((c) => conditionSql({ ...node, alias }, c))
}

/** Whether the statement needs rows back from the mutation. Insert-only tables (RLS without a SELECT policy) work with return=minimal. */
export function needsReturning(plan: MutatePlan): boolean {
  return plan.mutation !== 'insert' || plan.returning !== 'minimal' || plan.count !== undefined || plan.isPut || plan.mediaType.kind === 'object' || plan.onConflict?.resolution === 'merge'
}

type Mutation = { ctes: Sql[]; source: Sql }

const ELEM = ident('pgrst_elem')

/**
 * The payload rows as the table's row type (`pgrst_body`), and how to read one column of them. A
 * column with a data representation from json takes its JSON value through that cast function
 * (PostgreSQL's own input would not accept it), so such payloads are read element by element.
 */
function payloadRows(plan: MutatePlan, group: MutatePlan['payloadGroups'][number]): { rows: Sql; value: (column: string) => Sql } {
  const json = param(group.json, 'json')
  const represented = plan.table.columns.filter((c) => c.fromJson && group.columns.includes(c.name))
  if (represented.length === 0) {
    return { rows: sql`SELECT * FROM json_populate_recordset(NULL::${qi(plan.qi)}, ${json})`, value: (c) => sql`${BODY}.${ident(c)}` }
  }
  const names = pgArrayLiteral(represented.map((c) => c.name))
  const casts = new Map(represented.map((c) => [c.name, c.fromJson!]))
  return {
    rows: sql`SELECT ${ELEM}, pgrst_row.* FROM json_array_elements(${json}) AS ${ELEM}, LATERAL json_populate_record(NULL::${qi(plan.qi)}, (${ELEM}::jsonb - ${names}::text[])::json) AS pgrst_row`,
    value: (c) => {
      const cast = casts.get(c)
      return cast ? sql`${qi(cast)}(${BODY}.${ELEM}->${c})` : sql`${BODY}.${ident(c)}`
    },
  }
}

function insertSql(plan: MutatePlan, returning: Sql): Mutation {
  const alias = plan.table.name
  const inserts = plan.payloadGroups.map((group) => {
    const cols = group.columns.map((c) => ident(c))
    const payload = payloadRows(plan, group)
    const values = group.columns.map((c) => payload.value(c))
    const putMatch = plan.isPut
      ? plan.where.map((c) => (c.kind === 'filter' ? opExprSql(sql`${BODY}.${ident(c.field.field.name)}`, c.opExpr, false) : sql`false`))
      : []
    const from = sql` FROM (${payload.rows}) AS ${BODY}${putMatch.length ? sql` WHERE ${join(putMatch, sql` AND `)}` : empty}`
    const body = group.columns.length === 0 ? sql` DEFAULT VALUES` : sql` (${join(cols)}) SELECT ${join(values)}${from}`
    let conflict = empty
    if (plan.onConflict) {
      const target = join(plan.onConflict.columns.map((c) => ident(c)))
      // merge sets every payload column, the conflict columns too: a body holding only them still
      // touches the row, so it comes back in the representation (PostgREST does the same)
      conflict =
        plan.onConflict.resolution === 'ignore' || group.columns.length === 0
          ? sql` ON CONFLICT (${target}) DO NOTHING`
          : sql` ON CONFLICT (${target}) DO UPDATE SET ${join(group.columns.map((c) => sql`${ident(c)} = EXCLUDED.${ident(c)}`))}`
    }
    return sql`INSERT INTO ${qi(plan.qi)} AS ${ident(alias)}${body}${conflict}${returning}`
  })
  if (inserts.length === 1) return { ctes: [], source: inserts[0]! }
  // missing=default with several key sets: one INSERT per key set, all top-level CTEs of one statement.
  const names = inserts.map((_, i) => ident(`pgrst_insert_${i}`))
  const all = names.map((name) => sql`SELECT * FROM ${name}`)
  return {
    ctes: inserts.map((ins, i) => sql`${names[i]!} AS (${ins})`),
    source: returning === empty ? sql`SELECT 1` : join(all, sql` UNION ALL `),
  }
}

/**
 * The columns the rest of the statement reads from the written rows: the representation's own,
 * those its embeds join on and its order sorts by, the key for Location. Only these are returned,
 * so a role with privileges on some columns only can write them (RETURNING needs SELECT on every
 * column it names); without a representation, just a marker row per written row.
 */
function returnedColumns(plan: MutatePlan): Sql {
  const alias = ident(plan.table.name)
  const withBody = plan.returning === 'representation'
  const names = new Set<string>(plan.returning === 'headers-only' ? plan.table.primaryKey : [])
  if (withBody) {
    const node = plan.representation
    const isColumn = (name: string) => plan.table.columns.some((c) => c.name === name)
    for (const f of node.fields) if (f.kind === 'field') names.add(f.field.field.name)
    for (const t of node.order) if (t.target.kind === 'field') names.add(t.target.field.field.name)
    for (const e of node.embeds) {
      const rel = e.relationship
      // a computed relationship or field takes the whole row
      if (rel.kind === 'computed') return sql`${alias}.*`
      const c = rel.cardinality
      for (const [column] of c.kind === 'M2M' ? c.junction.sourceColumns.map(([j, t]) => [t, j] as const) : c.columns) names.add(column)
    }
    if (node.star || [...names].some((n) => !isColumn(n))) return sql`${alias}.*`
  }
  const columns = [...names].map((n) => sql`${alias}.${ident(n)}`)
  return join([sql`1 AS ${ident('pgrst_row')}`, ...columns])
}

function mutationSql(plan: MutatePlan, withReturning: boolean): Mutation {
  const alias = plan.table.name
  const target = sql`${qi(plan.qi)} AS ${ident(alias)}`
  const trackInserted = plan.onConflict !== undefined && plan.table.kind === 'table'
  const returning = withReturning
    ? sql` RETURNING ${returnedColumns(plan)}${trackInserted ? sql`, (${ident(alias)}.xmax = 0) AS ${ident('pgrst_inserted')}` : empty}`
    : empty
  if (plan.noop) return { ctes: [], source: sql`SELECT ${returnedColumns(plan)}${trackInserted ? sql`, false AS ${ident('pgrst_inserted')}` : empty} FROM ${target} WHERE false` }
  switch (plan.mutation) {
    case 'insert':
      return insertSql(plan, returning)
    case 'update': {
      const group = plan.payloadGroups[0]!
      const payload = payloadRows(plan, group)
      const sets = group.columns.map((c) => sql`${ident(c)} = ${payload.value(c)}`)
      const where = whereSql(plan, alias)
      return { ctes: [], source: sql`UPDATE ${target} SET ${join(sets)} FROM (${payload.rows} LIMIT 1) AS ${BODY}${where.length ? sql` WHERE ${join(where, sql` AND `)}` : empty}${returning}` }
    }
    case 'delete': {
      const where = whereSql(plan, alias)
      return { ctes: [], source: sql`DELETE FROM ${target}${where.length ? sql` WHERE ${join(where, sql` AND `)}` : empty}${returning}` }
    }
  }
}

function withSource(m: Mutation): Sql {
  return sql`WITH ${join([...m.ctes, sql`${SOURCE} AS (${m.source})`])}`
}

export function mutateStatement(plan: MutatePlan): Sql {
  const withReturning = needsReturning(plan)
  const gucs = sql`nullif(current_setting('response.headers', true), '') AS response_headers, nullif(current_setting('response.status', true), '') AS response_status`
  if (!withReturning) {
    return sql`${withSource(mutationSql(plan, false))} SELECT '0' AS page_total, NULL::text AS affected, NULL::text AS inserted, '' AS body, NULL::text AS location, ${gucs}`
  }
  const node = plan.representation
  const representation =
    plan.returning === 'representation' ? nodeSelect(node, { from: sql`${SOURCE} AS ${ident(node.alias)}`, where: [] }) : sql`SELECT 1 FROM ${SOURCE}`
  const body = plan.returning === 'representation' ? bodySql(plan.mediaType, false) : sql`''`
  const trackInserted = plan.onConflict !== undefined && plan.table.kind === 'table'
  const inserted = trackInserted ? sql`(SELECT pg_catalog.count(*) FROM ${SOURCE} WHERE ${ident('pgrst_inserted')})::text` : sql`NULL::text`
  const pk = plan.table.primaryKey
  const location =
    plan.returning === 'headers-only' && plan.mutation === 'insert' && pk.length > 0
      ? sql`(SELECT row_to_json(pgrst_key)::text FROM (SELECT ${join(pk.map((c) => ident(c)))} FROM ${SOURCE} LIMIT 1) pgrst_key)`
      : sql`NULL::text`
  return sql`${withSource(mutationSql(plan, true))} SELECT pg_catalog.count(${T})::text AS page_total, (SELECT pg_catalog.count(*) FROM ${SOURCE})::text AS affected, ${inserted} AS inserted, ${body} AS body, ${location} AS location, ${gucs} FROM (${representation}) ${T}`
}
