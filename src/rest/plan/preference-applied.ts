/**
 * Stage 2 (plan). The `Preference-Applied` header: the preferences the request honours, in
 * PostgREST's order (postgrest-spec.md §5.9): resolution, missing, return, count, tx, handling,
 * timezone, max-affected. Pure.
 */
import type { ApiRequest } from '../api-request/api-request.js'
import type { TransactionPlan } from './types.js'

export type Honoured = Readonly<{
  /** POST with a conflict target */
  resolution?: boolean
  /** POST/PATCH */
  missing?: boolean
  /** writes */
  return?: boolean
  /** the zone of `Prefer: timezone=` when it is one Postgres knows */
  timezone: string | undefined
  transaction: TransactionPlan
}>

export function preferenceApplied(request: ApiRequest, honoured: Honoured): string[] {
  const p = request.preferences
  const out: string[] = []
  if (honoured.resolution && p.resolution) out.push(`resolution=${p.resolution}`)
  if (honoured.missing && p.missing) out.push(`missing=${p.missing}`)
  if (honoured.return && p.return) out.push(`return=${p.return}`)
  if (p.count) out.push(`count=${p.count}`)
  if (p.tx) out.push(`tx=${p.tx}`)
  if (p.handling) out.push(`handling=${p.handling}`)
  if (honoured.timezone) out.push(`timezone=${honoured.timezone}`)
  if (honoured.transaction.maxAffected !== undefined) out.push(`max-affected=${honoured.transaction.maxAffected}`)
  return out
}
