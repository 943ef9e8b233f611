/**
 * Stage 3 (build SQL). Wraps a node query into the statement whose one row answers the request:
 * total count, page count, the body built by Postgres as text, and the response GUCs.
 * Mirrors PostgREST Query/Statements.hs (mainRead).
 */
import type { ActionPlan, ReadPlan } from '../plan/types.js'
import { sql, type Sql } from '../../sql/fragment.js'
import { bodySql } from './body-sql.js'
import { callStatement } from './call-statement.js'
import { mutateStatement } from './mutate-statement.js'
import { openApiStatement } from './openapi-statement.js'
import { rootSelect, rowCountSql } from './read-query.js'

const T = sql`"_postgrest_t"`

const SOURCE = sql`"pgrst_source"`

/**
 * The total: an exact count, or for `estimated` with max-rows an exact count of at most
 * max-rows + 1 rows (the execute stage asks the planner above that); `planned` is the planner's
 * alone (count-statement.ts).
 */
function countSql(plan: ReadPlan): Sql {
  if (plan.count === undefined || plan.count === 'planned') return sql`NULL`
  const counted = rootSelect(plan.root, { withPaging: false, selectList: sql`1` })
  const limit = plan.count === 'estimated' && plan.maxRows !== undefined ? sql` LIMIT ${rowCountSql(plan.maxRows + 1)}` : sql``
  return sql`(SELECT pg_catalog.count(*) FROM (${counted}${limit}) pgrst_source_count)`
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
