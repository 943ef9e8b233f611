/**
 * Stage 5 (respond). The rows of an EXPLAIN → the plan: the JSON document PostgreSQL produced, or
 * the text plan's lines. Pure.
 */
import type { ResultRow } from '../../db/database.js'
import { explainContentType, type Explain } from '../plan/explain.js'
import type { HttpResponse } from './http-response.js'

export function buildExplainResponse(explain: Explain, rows: readonly ResultRow[], headOnly: boolean): HttpResponse {
  const lines = rows.map((row) => row['QUERY PLAN'] ?? '')
  const body = explain.format === 'json' ? (lines[0] ?? '[]') : lines.join('\n')
  return { status: 200, headers: { 'Content-Type': explainContentType(explain) }, body: headOnly ? undefined : Buffer.from(body) }
}
