/**
 * Stage 2 (plan). `Accept: application/vnd.pgrst.plan[+json|+text][; for="<media type>"][;
 * options=analyze|verbose|settings|buffers|wal]` (DATA_API_PLAN_ENABLED): answer the EXPLAIN of the
 * main statement instead of running it for its body (postgrest-spec.md §7.1). When the plan media
 * type wins the negotiation, the request is planned as if it had asked for the `for` media type.
 * When disabled, the plan types are simply not offered (so alone they end in 406 PGRST107). Pure.
 */
import type { ApiRequest } from '../api-request/api-request.js'
import { parseAccept, toMediaType } from '../api-request/media-type.js'

export type ExplainOption = 'analyze' | 'verbose' | 'settings' | 'buffers' | 'wal'

export type Explain = Readonly<{
  format: 'json' | 'text'
  options: readonly ExplainOption[]
  /** the media type the explained statement is built for, as sent (default application/json) */
  for: string
}>

const PLAN_TYPES: Readonly<Record<string, 'json' | 'text'>> = {
  'application/vnd.pgrst.plan': 'text',
  'application/vnd.pgrst.plan+text': 'text',
  'application/vnd.pgrst.plan+json': 'json',
}

const OPTIONS: readonly ExplainOption[] = ['analyze', 'verbose', 'settings', 'buffers', 'wal']

/** The EXPLAIN the request asks for and the request to plan in its place, or undefined. */
export function explainRequest(request: ApiRequest, enabled: boolean): { explain: Explain; request: ApiRequest } | undefined {
  if (!enabled || request.target.kind === 'root') return undefined
  for (const item of request.accept) {
    const format = PLAN_TYPES[item.type]
    if (format === undefined) {
      if (toMediaType(item, { root: false })) return undefined
      continue
    }
    const requested = (item.params.options ?? '').split('|').map((o) => o.trim())
    const options = OPTIONS.filter((o) => requested.includes(o))
    const forType = item.params.for && item.params.for !== '' ? item.params.for : 'application/json'
    return { explain: { format, options, for: forType }, request: { ...request, accept: parseAccept(forType) } }
  }
  return undefined
}

/** `application/vnd.pgrst.plan+json; for="application/json"; options=analyze|verbose; charset=utf-8` */
export function explainContentType(explain: Explain): string {
  const options = explain.options.length > 0 ? `; options=${explain.options.join('|')}` : ''
  return `application/vnd.pgrst.plan+${explain.format}; for="${explain.for}"${options}; charset=utf-8`
}
