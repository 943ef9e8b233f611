/**
 * Stage 1 (parse) of the query string: PostgREST's QueryParams.parse (postgrest-spec.md §2–4).
 * Pure: it knows nothing of the schema; every error is a PGRST100 (or PGRST103 for a negative
 * limit).
 *
 * Classification of `key=value` pairs:
 * - `select`, `columns`, `on_conflict`: reserved, the first occurrence wins;
 * - a key whose last dot-segment is `order`, `limit`, `offset`, `and` or `or` applies to the embed
 *   path before it (`actors.order`, `not.or`, `rel.not.and`);
 * - anything else is a filter `path.to.embed.field[->json]=<opExpr>`; for RPC reads a value that is
 *   not an operator expression is a function argument instead;
 * - pairs without `=` are ignored.
 *
 * Parameters are parsed in PostgREST's order (order, logic, columns, select, filters, on_conflict,
 * limits), so the same error wins when several are wrong.
 */
import { isApiError } from '../../errors/api-error.js'
import { errors } from '../../errors/catalog.js'
import { canonicalQuery, decodeQuery, type RawParam } from './query-params-decode.js'
import { isCommittedOpExpr, parseFilterValue, parseLogicValue } from './query-params-filter.js'
import { parseOrder } from './query-params-order.js'
import { parseSelect } from './query-params-select.js'
import { parseName, parseNameList, parseTreePath, runParser, show, withDefined } from './query-params-syntax.js'
import type { EmbedPath, Filter, LogicTree, OrderTerm, QueryParams } from './types.js'

export type QueryParamsOptions = Readonly<{
  /** GET/HEAD on `/rpc/fn`: values that are not operator expressions become function arguments */
  isRpcRead: boolean
}>

type Pair = Readonly<{ key: string; value: string }>

type Classified = {
  select?: string | undefined
  columns?: string | undefined
  onConflict?: string | undefined
  order: Pair[]
  logic: Pair[]
  limits: Pair[]
  filters: Pair[]
}

const RESERVED = new Set(['select', 'columns', 'on_conflict'])

export function parseQueryParams(query: string, options: QueryParamsOptions): QueryParams {
  const raw = decodeQuery(query)
  const params = classify(raw)
  const order = params.order.map(parseOrderParam)
  const logic = params.logic.map(parseLogicParam)
  const columns = params.columns === undefined ? undefined : unique(parseNameList('columns parameter', params.columns))
  const select = parseSelect(params.select ?? '')
  const { filters, rpcArgs } = parseFilters(params.filters, options.isRpcRead)
  const onConflict = params.onConflict === undefined ? undefined : parseNameList('on_conflict parameter', params.onConflict)
  const limits = parseLimits(params.limits)
  return withDefined({ select, filters, logic, order, limits, columns, onConflict, rpcArgs, canonical: canonicalQuery(raw) })
}

function classify(raw: readonly RawParam[]): Classified {
  const result: Classified = { order: [], logic: [], limits: [], filters: [] }
  const seenReserved = new Set<string>()
  for (const { key, value } of raw) {
    if (RESERVED.has(key)) {
      // PostgREST looks up the first occurrence; if that one has no `=` the parameter is absent
      if (!seenReserved.has(key)) setReserved(result, key, value)
      seenReserved.add(key)
      continue
    }
    if (value === undefined) continue
    const pair = { key, value }
    switch (key.slice(key.lastIndexOf('.') + 1)) {
      case 'order':
        result.order.push(pair)
        break
      case 'limit':
      case 'offset':
        result.limits.push(pair)
        break
      case 'and':
      case 'or':
        result.logic.push(pair)
        break
      default:
        result.filters.push(pair)
    }
  }
  return result
}

function setReserved(result: Classified, key: string, value: string | undefined): void {
  if (key === 'select') result.select = value
  else if (key === 'columns') result.columns = value
  else result.onConflict = value
}

function parseOrderParam({ key, value }: Pair): { path: EmbedPath; terms: OrderTerm[] } {
  const { path } = parseTreePath(key)
  return { path, terms: parseOrder(value) }
}

/**
 * pLogicPath: `a.b.not.or` ⇒ path [a, b], negated. Any `not` segment negates and is dropped from
 * the path, as in PostgREST.
 */
function parseLogicParam({ key, value }: Pair): { path: EmbedPath; tree: LogicTree } {
  const names = runParser('logic path', key, (c) => {
    const parsed = [parseName(c)]
    while (c.eat('.')) parsed.push(parseName(c))
    if (!c.atEnd) c.fail([show('.'), 'end of input'])
    return parsed
  })
  const operator = names.pop()
  if (operator !== 'and' && operator !== 'or') {
    throw errors.parse('logic path', key, key.length + 1, 'expecting logic operator (and, or)')
  }
  const negated = names.includes('not')
  return { path: names.filter((n) => n !== 'not'), tree: parseLogicValue(value, negated, operator) }
}

function parseFilters(
  pairs: readonly Pair[],
  isRpcRead: boolean,
): { filters: { path: EmbedPath; filter: Filter }[]; rpcArgs: (readonly [string, string])[] } {
  const filters: { path: EmbedPath; filter: Filter }[] = []
  const rpcArgs: (readonly [string, string])[] = []
  for (const { key, value } of pairs) {
    const { path, field } = parseTreePath(key)
    try {
      filters.push({ path, filter: { field, opExpr: parseFilterValue(value) } })
    } catch (err) {
      // PostgREST names the argument after the parsed field (`"my arg"=1` ⇒ my arg)
      if (isRpcRead && isApiError(err) && !isCommittedOpExpr(value)) rpcArgs.push([field.name, value])
      else throw err
    }
  }
  return { filters, rpcArgs }
}

type LimitEntry = { path: EmbedPath; limit?: number | undefined; offset?: number | undefined }

/**
 * `limit`/`offset` per embed path. Like PostgREST (Haskell `readMaybe`), a value that is not an
 * integer is ignored and the last occurrence of a key wins; a negative offset is a no-op (0); a
 * negative limit is PGRST103.
 */
function parseLimits(pairs: readonly Pair[]): { path: EmbedPath; limit?: number; offset?: number }[] {
  const byPath = new Map<string, LimitEntry>()
  for (const { key, value } of pairs) {
    const { path, field } = parseTreePath(key)
    const id = JSON.stringify(path)
    const entry = byPath.get(id) ?? { path }
    byPath.set(id, entry)
    const n = parseInteger(value)
    if (field.name === 'limit') entry.limit = n
    else entry.offset = n === undefined ? undefined : Math.max(0, n)
  }
  const limits = [...byPath.values()].map((e) => withDefined(e))
  if (limits.some((e) => e.limit !== undefined && e.limit < 0)) {
    throw errors.invalidRange('Limit should be greater than or equal to zero.')
  }
  return limits
}

const INTEGER = /^\s*(-?[0-9]+)\s*$/

function parseInteger(value: string): number | undefined {
  const match = INTEGER.exec(value)
  return match?.[1] === undefined ? undefined : Number(match[1]) || 0
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names)]
}
