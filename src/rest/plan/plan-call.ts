/**
 * Stage 2 (plan). `GET|HEAD|POST /rpc/fn` → CallPlan: the function chosen among its overloads, its
 * arguments, the shape of its result and, for table-valued results, the read tree (select, filters,
 * order, limits, embeds) planned over the call as over a table. Pure. Mirrors PostgREST Plan.hs
 * (callReadPlan) and postgrest-spec.md §6.
 */
import { errors } from '../../errors/catalog.js'
import type { Routine, RoutineParam, SchemaCache, Table } from '../../schema-cache/types.js'
import type { ApiRequest } from '../api-request/api-request.js'
import type { RpcPayload } from '../api-request/rpc-payload.js'
import { pgArrayLiteral } from '../../sql/array-literal.js'
import { findRoutine, matchesParams } from './find-routine.js'
import { negotiate, selectsDefault, singleColumn } from './negotiate.js'
import { planReadTree, type PlanOptions } from './plan-read.js'
import { planTransaction } from './plan-transaction.js'
import { preferenceApplied } from './preference-applied.js'
import { resolveTimezone } from './resolve-timezone.js'
import type { CallArgs, CallPlan, CallShape, ReadNode } from './types.js'

export function planCall(request: ApiRequest, cache: SchemaCache, options: PlanOptions): CallPlan {
  if (request.target.kind !== 'routine') throw errors.invalidPath()
  const isPost = request.method === 'POST'
  const payload = request.payload?.kind === 'args' ? request.payload.args : undefined
  const argKeys = payload ? Object.keys(payload.args) : [...new Set(request.query.rpcArgs.map(([name]) => name))]
  const lookup = { schema: request.schema, name: request.target.name, argKeys, isPost, bodyKind: payload?.bodyKind ?? 'other' } as const
  const routine = findRoutine(cache, lookup)
  const args = callArgs(routine, request, payload, new Set(argKeys))
  const shape = shapeOf(routine)

  let root: ReadNode | undefined
  let hasAggregates = false
  if (shape === 'composite' || shape === 'setOfComposite') {
    const tree = planReadTree(request, cache, resultTable(cache, routine), options)
    root = tree.root
    hasAggregates = tree.hasAggregates
  }
  const paging = scalarPaging(request, options.maxRows)
  const timezone = resolveTimezone(request.preferences, cache)
  const returns = routine.returns
  const mediaType = negotiate(request, {
    cache,
    target: { schema: routine.schema, name: returns.kind === 'composite' && !returns.isRecord ? returns.relation.name : routine.name },
    defaultSelect: selectsDefault(request),
    raw: root ? singleColumn(root) : shape === 'void' ? undefined : { column: 'pgrst_scalar', binary: returns.kind === 'scalar' && returns.type === 'bytea' },
  })
  const transaction = planTransaction(request, options.txEnd, {
    readOnly: !isPost || routine.volatility !== 'volatile',
    mediaType,
    honoursMaxAffected: true,
    settings: routine.hoistedSettings,
  })
  if (transaction.maxAffected !== undefined && routine.returnsSingle) throw errors.maxAffectedNotSetof()
  return {
    kind: 'call',
    routine,
    args,
    shape,
    root,
    limit: paging.limit,
    offset: paging.offset,
    mediaType,
    headOnly: request.method === 'HEAD',
    count: request.preferences.count,
    maxRows: options.maxRows,
    hasAggregates,
    timezone,
    preferenceApplied: preferenceApplied(request, { timezone, transaction }),
    transaction,
  }
}

function callArgs(
  routine: Routine,
  request: ApiRequest,
  payload: RpcPayload | undefined,
  keys: ReadonlySet<string>,
): CallArgs {
  if (payload) {
    const rawBody = payload.bodyKind === 'text' || payload.bodyKind === 'xml' || payload.bodyKind === 'octet'
    if (!matchesParams(routine, keys, rawBody)) {
      // chosen as the fallback: its one unnamed parameter takes the body as sent
      const param = routine.params[0]!
      return { kind: 'single', param, value: param.type === 'bytea' ? payload.raw : payload.raw.toString('utf8') }
    }
    const params = routine.params.filter((p) => keys.has(p.name))
    const args = payload.bodyKind === 'json' ? payload.args : formArgs(payload.args, params)
    return { kind: 'json', json: JSON.stringify(args), params }
  }
  const args: { param: RoutineParam; value: string }[] = []
  for (const param of routine.params) {
    const values = request.query.rpcArgs.filter(([name]) => name === param.name).map(([, value]) => value)
    if (values.length === 0) continue
    // `v=1&v=2` fills a variadic or array parameter; `v={1,2}` is already an array literal
    const value = takesArray(param) && (values.length > 1 || (param.variadic && !values[0]!.startsWith('{'))) ? pgArrayLiteral(values) : values[0]!
    args.push({ param, value })
  }
  return { kind: 'direct', args }
}

function takesArray(param: RoutineParam): boolean {
  return param.variadic || param.type.endsWith('[]')
}

/**
 * Form and CSV values are text, and a repeated form key arrives as a list: a list fills an array or
 * variadic parameter (so does one value for a variadic one, unless it is an array literal already);
 * any other parameter takes the first value.
 */
function formArgs(args: Readonly<Record<string, unknown>>, params: readonly RoutineParam[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...args }
  for (const param of params) {
    const value = out[param.name]
    if (Array.isArray(value)) out[param.name] = takesArray(param) ? value : value[0]
    else if (param.variadic && typeof value === 'string' && !value.startsWith('{')) out[param.name] = [value]
  }
  return out
}

function shapeOf(routine: Routine): CallShape {
  const r = routine.returns
  switch (r.kind) {
    case 'void':
      return 'void'
    case 'scalar':
      return r.setOf ? 'setOfScalar' : 'scalar'
    case 'composite':
      return r.setOf ? 'setOfComposite' : 'composite'
  }
}

/**
 * The table or view whose rows the function returns, so `select`, `*`, JSON paths and embeds know
 * its columns and relationships. Composite types and `TABLE(...)`/OUT-parameter records are not in
 * the schema cache: they get a column-less stand-in (`*` still works, embeds find nothing).
 */
function resultTable(cache: SchemaCache, routine: Routine): Table {
  const r = routine.returns
  if (r.kind === 'composite' && !r.isRecord) {
    const table = cache.tables.get(`${r.relation.schema}.${r.relation.name}`)
    if (table) return table
  }
  const name = r.kind === 'composite' && !r.isRecord ? r.relation.name : routine.name
  return {
    schema: routine.schema,
    name,
    kind: 'view',
    description: null,
    insertable: false,
    updatable: false,
    deletable: false,
    primaryKey: [],
    columns: [],
  }
}

/** Root `limit`/`offset` intersected with the Range header, capped by max-rows (scalar sets). */
function scalarPaging(request: ApiRequest, maxRows: number | undefined): { limit: number | undefined; offset: number } {
  const root = request.query.limits.find((l) => l.path.length === 0)
  let offset = root?.offset ?? 0
  let limit = root?.limit
  if (request.range) {
    const queryTo = limit === undefined ? Infinity : offset + limit - 1
    const headerTo = request.range.limit === undefined ? Infinity : request.range.offset + request.range.limit - 1
    const from = Math.max(offset, request.range.offset)
    const to = Math.min(queryTo, headerTo)
    offset = from
    limit = to === Infinity ? undefined : Math.max(0, to - from + 1)
  }
  if (maxRows !== undefined) limit = limit === undefined ? maxRows : Math.min(limit, maxRows)
  return { limit, offset }
}
