/**
 * Stage 3 (build SQL). Wraps a node query into the statement whose one row answers the request:
 * total count, page count, the body built by Postgres as text, and the response GUCs.
 * Mirrors PostgREST Query/Statements.hs (mainRead).
 */
import type { ActionPlan, ReadPlan } from '../plan/types.js'
import { param, quoteIdent, sql, type Sql } from '../../sql/fragment.js'
import { bodySql } from './body-sql.js'
import { callStatement } from './call-statement.js'
import { mutateStatement } from './mutate-statement.js'
import { openApiStatement } from './openapi-statement.js'
import { rootSelect } from './read-query.js'

const T = sql`"_postgrest_t"`

const SOURCE = sql`"pgrst_source"`

/**
 * `planned` reads the planner's row estimate of the root table (pg_class.reltuples) instead of running
 * EXPLAIN in a second round trip; views and never-analysed tables fall back to an exact count.
 * `estimated` counts exactly up to max-rows + 1 and takes the estimate above that.
 */
function countSql(plan: ReadPlan): Sql {
  if (plan.count === undefined) return sql`NULL`
  const counted = rootSelect(plan.root, { withPaging: false, selectList: sql`1` })
  const exact = sql`(SELECT pg_catalog.count(*) FROM (${counted}) pgrst_source_count)`
  const kind = plan.root.table.kind
  const estimate =
    kind === 'table' || kind === 'materializedView' || kind === 'partitionedTable'
      ? sql`(SELECT nullif(greatest(c.reltuples, -1), -1)::bigint FROM pg_catalog.pg_class c WHERE c.oid = ${param(`${quoteIdentPair(plan)}`)}::regclass)`
      : undefined
  if (plan.count === 'exact' || estimate === undefined) return exact
  if (plan.count === 'planned') return sql`coalesce(${estimate}, ${exact})`
  if (plan.maxRows === undefined) return exact
  const limited = sql`(SELECT pg_catalog.count(*) FROM (${counted} LIMIT ${param(plan.maxRows + 1, 'bigint')}) pgrst_source_count)`
  return sql`(SELECT CASE WHEN l > ${param(plan.maxRows, 'bigint')} THEN greatest(l, coalesce(${estimate}, l)) ELSE l END FROM (SELECT ${limited} AS l) pgrst_limited)`
}

function quoteIdentPair(plan: ReadPlan): string {
  return `${quoteIdent(plan.root.qi.schema)}.${quoteIdent(plan.root.qi.name)}`
}

export function readStatement(plan: ReadPlan): Sql {
  return sql`WITH ${SOURCE} AS (${rootSelect(plan.root)}) SELECT ${countSql(plan)}::text AS total, pg_catalog.count(${T})::text AS page_total, ${bodySql(plan.mediaType, plan.headOnly)} AS body, nullif(current_setting('response.headers', true), '') AS response_headers, nullif(current_setting('response.status', true), '') AS response_status FROM (SELECT * FROM ${SOURCE}) ${T}`
}

export function mainStatement(plan: ActionPlan): Sql {
  switch (plan.kind) {
    case 'read':
      return readStatement(plan)
    case 'mutate':
      return mutateStatement(plan)
    case 'call':
      return callStatement(plan)
    case 'openapi':
      return openApiStatement(plan)
  }
}
