/**
 * A cache of planned inserts and function calls by request shape, the POST counterpart of the read
 * shape cache. A JSON insert or call sends its whole body to Postgres as one JSON parameter, so two
 * POSTs to the same path with the same query, headers and body keys (in the same order) parse, plan
 * and compile to the same SQL text; only that parameter differs. The first request of a shape takes
 * the full path and becomes the template; later ones parse their body as the full path would, and
 * swap its JSON text in. Only shapes whose plan is known to carry the body in exactly one parameter
 * are kept: a plain insert (no `columns=`, no `missing=default`, so one group of rows) and a call
 * whose arguments travel as JSON. Pure apart from its own memory; bounded; forgotten when the schema
 * cache changes.
 */
import type { SchemaCache } from '../schema-cache/types.js'
import type { RequestPayload } from './api-request/api-request.js'
import { parseCookies, parseTarget, requestHeaders, type RawRequest } from './api-request/parse-api-request.js'
import { parseJsonPayload } from './api-request/payload.js'
import { mimeOf, parseRpcPayload } from './api-request/rpc-payload.js'
import type { PlannedRead } from './read-shape-cache.js'
import { shapeHeader, ShapeEntries } from './shape-entries.js'

type Entry = Readonly<{ template: PlannedRead; param: number }>

/** What the request's body contributes: its parsed form, the JSON text the plan sends, and its shape. */
type Body = Readonly<{ payload: RequestPayload; json: string; shape: string }>

const COLUMNS_PARAM = /(^|&)columns=/

/** The body as the full path parses it, or undefined when this request must take the full path. */
function bodyOf(raw: RawRequest): Body | undefined {
  const contentType = shapeHeader(raw, 'content-type')
  const mime = mimeOf(contentType)
  if (mime !== '' && mime !== 'application/json') return undefined
  try {
    const target = parseTarget(raw.path)
    if (target.kind === 'routine') {
      const args = parseRpcPayload(contentType || undefined, raw.body)
      return { payload: { kind: 'args', args }, json: JSON.stringify(args.args), shape: `r\u0001${Object.keys(args.args).join('\u0001')}` }
    }
    // `columns=` sends the body unchecked, in groups of its own: not templated
    if (target.kind !== 'relation' || COLUMNS_PARAM.test(raw.query)) return undefined
    const rows = parseJsonPayload(raw.body?.toString('utf8') ?? '', true)
    return { payload: { kind: 'rows', rows }, json: JSON.stringify(rows.rows), shape: `t${rows.isArray ? 'a' : 'o'}\u0001${rows.keys.join('\u0001')}` }
  } catch {
    return undefined // the full path reports the error
  }
}

/** The one parameter of the template that carries the body, or undefined when its plan is not templatable. */
function bodyParam(template: PlannedRead, json: string): number | undefined {
  const { plan, request } = template
  if (plan.kind === 'mutate') {
    if (plan.mutation !== 'insert' || plan.isPut || plan.payloadGroups.length !== 1 || plan.payloadGroups[0]!.json !== json) return undefined
    if (request.preferences.missing === 'default') return undefined
  } else if (plan.kind === 'call') {
    if (plan.args.kind !== 'json' || plan.args.json !== json) return undefined
  } else return undefined
  const positions: number[] = []
  template.main.values.forEach((v, i) => {
    if (v === json) positions.push(i)
  })
  return positions.length === 1 ? positions[0] : undefined
}

export class WriteShapeCache {
  private readonly entries = new ShapeEntries<Entry>()

  /**
   * The planned insert or call for this request: the template's with this body, or (first of its
   * shape) the one `plan` makes of the request itself; undefined when it must take the full path.
   */
  lookup(
    raw: RawRequest,
    cache: SchemaCache,
    plan: (raw: RawRequest) => PlannedRead | undefined,
    /** what else the plan depends on (the role) */
    variant = '',
  ): PlannedRead | undefined {
    if (raw.method !== 'POST') return undefined
    const body = bodyOf(raw)
    if (!body) return undefined
    const key = [
      variant,
      raw.path,
      raw.query,
      body.shape,
      shapeHeader(raw, 'content-type'),
      shapeHeader(raw, 'accept'),
      shapeHeader(raw, 'prefer'),
      shapeHeader(raw, 'content-profile'),
      shapeHeader(raw, 'accept-profile'),
    ].join('\u0000')
    const entry = this.entries.get(cache, key)
    if (entry === null) return undefined
    if (entry === undefined) {
      let planned: PlannedRead | undefined
      try {
        planned = plan(raw)
      } catch {
        planned = undefined // the full path reports the error, with nothing remembered
      }
      if (!planned) {
        this.entries.set(key, null)
        return undefined
      }
      const param = bodyParam(planned, body.json)
      this.entries.set(key, param === undefined ? null : { template: planned, param })
      return planned
    }
    const values = [...entry.template.main.values]
    values[entry.param] = body.json
    const t = entry.template.request
    return {
      request: { ...t, headers: requestHeaders(raw.headers), cookies: parseCookies(shapeHeader(raw, 'cookie') || undefined), payload: body.payload },
      plan: entry.template.plan,
      main: { text: entry.template.main.text, values },
    }
  }
}
