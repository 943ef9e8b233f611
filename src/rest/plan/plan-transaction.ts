/**
 * Stage 2 (plan). How a request's transaction runs and ends, the same way for reads, writes and
 * function calls (postgrest-spec.md §5.7–5.8, §8.4): read-only or not, commit or roll back
 * (`db-tx-end`, `Prefer: tx=` when the setting allows overriding it), and what the result must
 * satisfy before the transaction may end (one row for vnd.pgrst.object, PUT's one row,
 * max-affected). The execute stage enforces it. Pure.
 */
import type { AppConfig } from '../../config/app-config.js'
import type { ApiRequest } from '../api-request/api-request.js'
import type { MediaType } from '../api-request/media-type.js'
import type { TransactionPlan } from './types.js'

export type TransactionNeeds = Readonly<{
  readOnly: boolean
  mediaType: MediaType
  /** PUT: the statement must write exactly one row (PGRST115) */
  exactlyOne?: boolean
  /** PATCH, DELETE and RPC honour `max-affected` with handling=strict */
  honoursMaxAffected?: boolean
  /** settings of the called function applied to the transaction */
  settings?: TransactionPlan['settings']
}>

export function planTransaction(request: ApiRequest, txEnd: AppConfig['txEnd'], needs: TransactionNeeds): TransactionPlan {
  const prefs = request.preferences
  return {
    readOnly: needs.readOnly,
    end: prefs.tx !== undefined && txEnd.endsWith('allow-override') ? prefs.tx : txEnd.startsWith('rollback') ? 'rollback' : 'commit',
    singular: needs.mediaType.kind === 'object',
    exactlyOne: needs.exactlyOne ?? false,
    maxAffected: needs.honoursMaxAffected && prefs.handling === 'strict' ? prefs.maxAffected : undefined,
    settings: needs.settings ?? [],
  }
}
