/**
 * Stage 3 (build SQL). CallPlan → the main statement of an RPC. The function is called in the FROM
 * clause of the read query (`"s"."fn"(a := …) AS "alias"`), so the rows keep the function's row type:
 * select, filters, order, paging, embeds, computed columns and computed relationships work over them
 * exactly as over a table. Values only ever travel as bind parameters. Mirrors PostgREST
 * Query/QueryBuilder.hs (callPlanToQuery) and Statements.hs (mainCall), postgrest-spec.md §11.2.
 */
import type { CallPlan } from '../plan/types.js'
import type { RoutineParam } from '../../schema-cache/types.js'
import { catalogType, empty, ident, join, param, qi, sql, type Sql } from '../../sql/fragment.js'
import { bodySql, SCALAR } from './body-sql.js'
import { limitOffsetSql, nodeSelect } from './read-query.js'

const T = sql`"_postgrest_t"`
const CALL = ident('pgrst_call')

function argName(p: RoutineParam): Sql {
  return p.variadic ? sql`VARIADIC ${ident(p.name)}` : ident(p.name)
}

/**
 * The FROM items that call the function, the call itself aliased `alias` (scalars expose their
 * value as one column). A function returning an anonymous `record` has no column list to read it
 * by, so it is called in a select list instead and its rows are values, as PostgREST does.
 */
function callFrom(plan: CallPlan, alias: Sql): Sql {
  const fn = qi({ schema: plan.routine.schema, name: plan.routine.name })
  const scalar = plan.shape === 'scalar' || plan.shape === 'setOfScalar' || plan.shape === 'void'
  const asValue = plan.routine.returns.kind === 'scalar' && plan.routine.returns.type === 'record'
  const call = (args: Sql, from: Sql = empty): Sql =>
    asValue ? sql`${from}(SELECT ${fn}(${args}) AS ${SCALAR}) AS ${alias}` : sql`${from}${fn}(${args}) AS ${scalar ? sql`${alias}(${SCALAR})` : alias}`
  const args = plan.args
  switch (args.kind) {
    case 'single':
      return call(sql`${param(args.value)}::${catalogType(args.param.castType)}`)
    case 'direct':
      return call(join(args.args.map((a) => sql`${argName(a.param)} := ${param(a.value)}::${catalogType(a.param.castType)}`)))
    case 'json': {
      if (args.params.length === 0) return call(empty)
      const columns = join(args.params.map((p) => sql`${ident(p.name)} ${catalogType(p.castType)}`))
      const body = ident('pgrst_body')
      const named = join(args.params.map((p) => sql`${argName(p)} := ${body}.${ident(p.name)}`))
      return call(named, sql`(SELECT ${param(args.json)}::json AS json_data) pgrst_payload, LATERAL (SELECT * FROM json_to_record(pgrst_payload.json_data) AS _(${columns})) ${body}, LATERAL `)
    }
  }
}

/**
 * A volatile function must run once even when the statement counts its rows: its rows are then
 * materialised first and read from there (computed columns need the row type and are lost there).
 */
function materialise(plan: CallPlan): boolean {
  return plan.count !== undefined && plan.routine.volatility === 'volatile'
}

/** The rows of the call (paged), and the same rows unpaged for counting. */
export function sourceSelects(plan: CallPlan, from: (alias: Sql) => Sql): { rows: Sql; counted: Sql } {
  if (plan.root) {
    const alias = ident(plan.root.alias)
    return {
      rows: nodeSelect(plan.root, { from: from(alias), where: [] }),
      counted: nodeSelect(plan.root, { from: from(alias), where: [] }, { withPaging: false, selectList: sql`1` }),
    }
  }
  return {
    rows: sql`SELECT ${CALL}.${SCALAR} FROM ${from(CALL)}${limitOffsetSql(plan.limit, plan.offset)}`,
    counted: sql`SELECT 1 FROM ${from(CALL)}`,
  }
}

function callBody(plan: CallPlan): Sql {
  if (plan.headOnly || plan.shape === 'void') return sql`''`
  const scalar = plan.shape === 'scalar' || plan.shape === 'setOfScalar'
  const handler = plan.mediaType.kind === 'handler' ? plan.mediaType.handler : undefined
  // an aggregate handler over scalar results takes the values, not the rows
  if (handler?.kind === 'aggregate' && scalar) return sql`${qi(handler.function)}(${T}.${SCALAR})::text`
  if (plan.mediaType.kind === 'handler' || plan.mediaType.kind === 'raw') return bodySql(plan.mediaType, false)
  if (scalar) {
    // scalar results are values, not rows: the value itself, or an array of them
    const values = sql`json_agg(${T}.${SCALAR})`
    return plan.shape === 'scalar' || plan.mediaType.kind === 'object'
      ? sql`coalesce((${values}->0)::text, 'null')`
      : sql`coalesce(${values}, '[]')::text`
  }
  if (plan.shape === 'composite' && (plan.mediaType.kind === 'json' || plan.mediaType.kind === 'arrayStripped' || plan.mediaType.kind === 'any')) {
    return bodySql({ kind: 'object', stripped: plan.mediaType.kind === 'arrayStripped' }, false)
  }
  return bodySql(plan.mediaType, false)
}

/** FROM items that call the function (no materialising: EXPLAIN runs nothing). */
export function callFromItems(plan: CallPlan): (alias: Sql) => Sql {
  return (alias) => callFrom(plan, alias)
}

export function callStatement(plan: CallPlan): Sql {
  const ctes: Sql[] = []
  let from = (alias: Sql) => callFrom(plan, alias)
  if (materialise(plan)) {
    const row = ident('pgrst_call_row')
    const all = plan.root ? sql`${row}.*` : sql`${row}.${SCALAR}`
    ctes.push(sql`pgrst_call_rows AS MATERIALIZED (SELECT ${all} FROM ${callFrom(plan, row)})`)
    from = (alias) => sql`pgrst_call_rows AS ${alias}`
  }
  const { rows, counted } = sourceSelects(plan, from)
  ctes.push(sql`pgrst_source AS (${rows})`)
  const total = plan.count === undefined || plan.count === 'planned' ? sql`NULL` : sql`(SELECT pg_catalog.count(*) FROM (${counted}${plan.count === 'estimated' && plan.maxRows !== undefined ? sql` LIMIT ${param(plan.maxRows + 1, 'bigint')}` : empty}) pgrst_source_count)`
  return sql`WITH ${join(ctes)} SELECT ${total}::text AS total, pg_catalog.count(${T})::text AS page_total, ${callBody(plan)} AS body, nullif(current_setting('response.headers', true), '') AS response_headers, nullif(current_setting('response.status', true), '') AS response_status FROM (SELECT * FROM pgrst_source) ${T}`
}

