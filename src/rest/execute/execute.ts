/**
 * Stage 4 (execute): the only stage that touches the database. Sends the request context, the
 * pre-request call and the main statement as one batch, and owns how the transaction ends: a
 * result that fails its checks (PGRST115/116/124) never commits, and `tx=rollback` (or
 * db-tx-end=rollback) rolls back whatever the request wrote, RPC included (postgrest-spec.md §8.4).
 *
 * Read-only requests keep the single round trip: nothing they do can persist, so their checks run
 * after the implicit transaction ended. Requests that may write and have something to check or to
 * roll back run in an explicit transaction that the check ends.
 */
import type { AbortLike, Database, ResultRow } from '../../db/database.js'
import { errors } from '../../errors/catalog.js'
import type { CompiledSql } from '../../sql/fragment.js'
import type { ActionPlan, TransactionPlan } from '../plan/types.js'
import { isRefusedRole } from '../sql/env-statement.js'

export type Statements = Readonly<{
  /** the request context: search_path, role, request.* settings */
  env: CompiledSql
  /** db-pre-request */
  preRequest?: CompiledSql
  main: CompiledSql
  /** count=planned|estimated: the EXPLAIN whose row estimate may be the total (count-statement.ts) */
  plannedCount?: CompiledSql
}>

/** Runs the request's statements; resolves to the main statement's rows once the transaction has ended. */
export async function execute(db: Database, plan: ActionPlan, statements: Statements, role: string, signal?: AbortLike): Promise<readonly ResultRow[]> {
  try {
    const rows = await run(db, plan, statements, signal)
    return statements.plannedCount ? await withPlannedCount(db, plan, statements, rows) : rows
  } catch (err) {
    throw isRefusedRole(err) ? errors.roleRefused(role) : err
  }
}

/**
 * count=planned: the total is the planner's estimate. count=estimated: the exact count of at most
 * max-rows + 1 rows, or above max-rows the larger of it and the estimate (PostgREST's rule). The
 * EXPLAIN runs in its own read-only transaction with the same request context (a second round
 * trip, only for these counts).
 */
async function withPlannedCount(db: Database, plan: ActionPlan, statements: Statements, rows: readonly ResultRow[]): Promise<readonly ResultRow[]> {
  const row = rows[0]
  if (!row || (plan.kind !== 'read' && plan.kind !== 'call')) return rows
  const counted = row.total === null || row.total === undefined ? undefined : Number(row.total)
  if (plan.count === 'estimated' && (counted === undefined || plan.maxRows === undefined || counted <= plan.maxRows)) return rows
  const explained = await db.run({ env: statements.env, main: statements.plannedCount!, readOnly: true })
  const estimate = planRows(explained[0]?.['QUERY PLAN'])
  if (estimate === undefined) return rows
  const total = plan.count === 'estimated' ? Math.max(counted ?? 0, estimate) : estimate
  return [{ ...row, total: String(total) }, ...rows.slice(1)]
}

/** `[{"Plan": {"Plan Rows": n}}]` → n */
function planRows(text: string | null | undefined): number | undefined {
  if (!text) return undefined
  const rows = (JSON.parse(text) as { Plan?: { 'Plan Rows'?: unknown } }[])[0]?.Plan?.['Plan Rows']
  return typeof rows === 'number' ? rows : undefined
}

async function run(db: Database, plan: ActionPlan, statements: Statements, signal: AbortLike | undefined): Promise<readonly ResultRow[]> {
  const tx = plan.transaction
  const batch = {
    env: statements.env,
    ...(statements.preRequest ? { preRequest: statements.preRequest } : {}),
    main: statements.main,
    readOnly: tx.readOnly,
    ...(signal ? { signal } : {}),
  }
  if (tx.readOnly) {
    const rows = await db.run(batch)
    checkResult(plan, rows[0])
    return rows
  }
  if (!needsCheck(tx)) return db.run(batch)
  return db.run({
    ...batch,
    check: (rows) => {
      checkResult(plan, rows[0])
      return tx.end
    },
  })
}

/** An EXPLAIN (ANALYZE runs the statement): whatever it wrote is rolled back. */
export async function executeExplain(db: Database, plan: ActionPlan, statements: Statements, role: string): Promise<readonly ResultRow[]> {
  try {
    return await db.run({ ...statements, readOnly: plan.transaction.readOnly, check: () => 'rollback' })
  } catch (err) {
    throw isRefusedRole(err) ? errors.roleRefused(role) : err
  }
}

function needsCheck(tx: TransactionPlan): boolean {
  return tx.end === 'rollback' || tx.singular || tx.exactlyOne || tx.maxAffected !== undefined
}

/** The rows the statement affected (writes) or returned (reads, calls). */
function rowCount(plan: ActionPlan, row: ResultRow | undefined): number {
  const value = plan.kind === 'mutate' ? row?.affected : row?.page_total
  return value === null || value === undefined ? 0 : Number(value)
}

/** Throws what a result that may not stand fails with; runs before the transaction ends. */
function checkResult(plan: ActionPlan, row: ResultRow | undefined): void {
  const tx = plan.transaction
  const count = rowCount(plan, row)
  if (tx.exactlyOne && count !== 1) throw errors.putMatchingPk()
  // a function returning void answers 204 whatever was asked for
  if (tx.singular && count !== 1 && !(plan.kind === 'call' && plan.shape === 'void')) throw errors.singularity(count)
  if (tx.maxAffected !== undefined && count > tx.maxAffected) throw errors.maxAffectedViolation(count)
}
