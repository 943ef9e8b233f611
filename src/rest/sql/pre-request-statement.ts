/**
 * Stage 3 (build SQL). db-pre-request: `select "schema"."fn"()`, sent after the request context and
 * before the main statement in the same transaction (postgrest-spec.md §8.3). The function may raise
 * to refuse the request or set response.headers/response.status, which the main statement reads.
 */
import { compile, qi, sql, type CompiledSql, type QualifiedIdentifier } from '../../sql/fragment.js'

export function preRequestStatement(fn: QualifiedIdentifier | undefined): CompiledSql | undefined {
  return fn === undefined ? undefined : compile(sql`select ${qi(fn)}()`)
}
