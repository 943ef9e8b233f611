/**
 * The `select` grammar (PostgREST's pFieldForest, postgrest-spec.md §2.2):
 *
 *   select   := item ("," item)*                       -- "" = nothing selected
 *   item     := "..." name embedParam{0,2} "(" select ")"
 *             | "*"
 *             | [alias ":"] "count()" ["::" type]
 *             | [alias ":"] name embedParam{0,2} "(" select ")"     -- name ≠ count
 *             | [alias ":"] name jsonPath ["::" type] ["." agg "()"] ["::" type]
 *
 * Unlike PostgREST we refuse text left after the forest (`select=id)`), and we tolerate
 * whitespace inside `rel( )` and after `alias:`.
 */
import {
  type Cursor,
  MAX_NESTING_DEPTH,
  parseCast,
  parseJsonPath,
  parseName,
  parseNameQuoted,
  runParser,
  show,
  withDefined,
} from './query-params-syntax.js'
import type { AggregateFunction, SelectItem } from './types.js'

type EmbedItem = Extract<SelectItem, { kind: 'embed' }>

/** Parses a whole `select` value; the root of an empty select is `*`. */
export function parseSelect(input: string): SelectItem[] {
  const items = runParser('select parameter', input, (c) => parseItems(c, 0))
  return items.length === 0 ? [{ kind: 'star' }] : items
}

/** Items up to the end of input (depth 0) or up to the `)` closing an embed (left unconsumed). */
function parseItems(c: Cursor, depth: number): SelectItem[] {
  if (depth > MAX_NESTING_DEPTH) c.failWith(`select nesting deeper than ${MAX_NESTING_DEPTH} levels`)
  const atClose = (): boolean => (depth > 0 ? c.peek() === ')' : c.atEnd)
  c.skipWs()
  if (atClose()) return []
  const items: SelectItem[] = []
  for (;;) {
    items.push(parseItem(c, depth))
    c.skipWs()
    if (c.eat(',')) {
      c.skipWs()
      continue
    }
    if (atClose()) return items
    c.fail([show(','), depth > 0 ? show(')') : 'end of input'])
  }
}

function parseItem(c: Cursor, depth: number): SelectItem {
  if (c.eat('...')) return parseEmbed(c, depth, { name: parseName(c), spread: true })
  if (c.eat('*')) return { kind: 'star' }

  let nameStart = c.pos
  let name = parseName(c)
  let alias: string | undefined
  if (eatAliasSeparator(c)) {
    alias = name
    c.skipWs()
    nameStart = c.pos
    name = parseName(c)
  }
  // exactly `count()` as written: `"count"()` or `count ()` are not the aggregate
  if (c.input.slice(nameStart, c.pos) === 'count' && c.eat('()')) return parseCount(c, alias)
  c.skipWs()
  if (c.peek() === '(' || c.peek() === '!') {
    if (name === 'count') failCountEmbed(c)
    return parseEmbed(c, depth, { name, alias, spread: false })
  }
  return parseFieldItem(c, name, alias)
}

/** `count` is reserved for the aggregate; PostgREST never embeds a relation of that name. */
function failCountEmbed(c: Cursor): never {
  if (c.peek() === '(') c.fail([show(')')], c.pos + 1)
  return c.fail([show('()')])
}

/** `alias:name`: one `:` not followed by another (that would be a cast). */
function eatAliasSeparator(c: Cursor): boolean {
  if (c.peek() !== ':' || c.peek(1) === ':') return false
  c.pos++
  return true
}

function parseCount(c: Cursor, alias: string | undefined): SelectItem {
  const cast = c.eat('::') ? parseCast(c) : undefined
  return withDefined({ kind: 'count', alias, cast })
}

function parseEmbed(
  c: Cursor,
  depth: number,
  head: { name: string; alias?: string | undefined; spread: boolean },
): SelectItem {
  c.skipWs()
  const { hint, joinType } = parseEmbedParams(c)
  c.skipWs()
  c.expect('(', [show('!'), show('(')])
  const select = parseItems(c, depth + 1)
  c.expect(')', [show(','), show(')')])
  const item: EmbedItem = withDefined({
    kind: 'embed',
    name: head.name,
    alias: head.alias,
    hint,
    joinType,
    spread: head.spread,
    select,
  })
  return item
}

/** Up to two `!param`s: `inner`/`left` set the join type, anything else is the hint; first wins. */
function parseEmbedParams(c: Cursor): { hint?: string; joinType?: 'inner' | 'left' } {
  let hint: string | undefined
  let joinType: 'inner' | 'left' | undefined
  for (let i = 0; i < 2 && c.eat('!'); i++) {
    const { name, quoted } = parseNameQuoted(c)
    c.skipWs()
    if (!quoted && (name === 'inner' || name === 'left')) joinType ??= name
    else hint ??= name
  }
  return withDefined({ hint, joinType })
}

const AGGREGATE = /\.(sum|avg|count|max|min)\(\)/y

function parseFieldItem(c: Cursor, name: string, alias: string | undefined): SelectItem {
  const jsonPath = parseJsonPath(c)
  c.skipWs()
  const cast = c.eat('::') ? parseCast(c) : undefined
  c.skipWs()
  let aggregate: AggregateFunction | undefined
  if (c.peek() === '.') {
    const text = c.take(AGGREGATE)
    if (text === '') c.fail(['aggregate function (sum, avg, count, max, min) followed by "()"'])
    aggregate = text.slice(1, -2) as AggregateFunction
  }
  c.skipWs()
  // PostgREST accepts a second `::type` even without an aggregate and then ignores it
  const secondCast = c.eat('::') ? parseCast(c) : undefined
  const aggregateCast = aggregate === undefined ? undefined : secondCast
  return withDefined({ kind: 'field', field: { name, jsonPath }, alias, cast, aggregate, aggregateCast })
}
