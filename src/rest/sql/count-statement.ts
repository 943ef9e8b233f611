/**
 * Stage 3 (build SQL). `Prefer: count=planned|estimated`: the planner's row estimate of the count
 * query, `EXPLAIN (FORMAT JSON)` of the rows the request counts, run by the execute stage after the
 * main statement with the same request context (postgrest-spec.md §4.5). Mirrors PostgREST's
 * planned and estimated counts.
 */
import { compile, sql, type CompiledSql } from '../../sql/fragment.js'
import type { ActionPlan } from '../plan/types.js'
import { callFromItems, sourceSelects } from './call-statement.js'
import { rootSelect } from './read-query.js'

/** The EXPLAIN whose estimate is the total, when the request's count may need one. */
export function plannedCountStatement(plan: ActionPlan): CompiledSql | undefined {
  if (plan.kind !== 'read' && plan.kind !== 'call') return undefined
  if (plan.count !== 'planned' && !(plan.count === 'estimated' && plan.maxRows !== undefined)) return undefined
  const counted =
    plan.kind === 'read' ? rootSelect(plan.root, { withPaging: false, selectList: sql`1` }) : sourceSelects(plan, callFromItems(plan)).counted
  return compile(sql`EXPLAIN (FORMAT JSON) ${counted}`)
}
