/**
 * Filter operator expressions and logic trees (PostgREST's pOpExpr, pListVal, pLogicTree;
 * postgrest-spec.md §3.1–3.4).
 *
 *   opExpr := ["not."] ( "in." list | "is." isVal | "isdistinct." val
 *                      | fts ["(" lang ")"] "." val | simpleOp "." val | quantOp ["(any)"|"(all)"] "." val )
 *   tree   := field "." opExpr | ["not."] ("and"|"or") "(" tree ("," tree)* ")"
 *
 * A top-level filter value is the verbatim remainder; inside a tree a value ends at `,` or `)`
 * unless it is double-quoted or a `{...}` array literal.
 */
import {
  type Cursor,
  furthest,
  MAX_NESTING_DEPTH,
  parseField,
  parseIdentifier,
  runParser,
  show,
  SyntaxFailure,
  tryQuoted,
  withDefined,
} from './query-params-syntax.js'
import type {
  FtsOperator,
  IsValue,
  LogicTree,
  OpExpr,
  Operation,
  QuantOperator,
  SimpleOperator,
} from './types.js'

const SIMPLE_OPERATORS: ReadonlySet<string> = new Set<SimpleOperator>(['neq', 'cs', 'cd', 'ov', 'sl', 'sr', 'nxr', 'nxl', 'adj'])
const QUANT_OPERATORS: ReadonlySet<string> = new Set<QuantOperator>([
  'eq',
  'gte',
  'gt',
  'lte',
  'lt',
  'like',
  'ilike',
  'match',
  'imatch',
])
const FTS_OPERATORS: ReadonlySet<string> = new Set<FtsOperator>(['fts', 'plfts', 'phfts', 'wfts'])
const OPERATOR_EXPECTED = 'operator (eq, gt, ...)'

/** Reads the value after `op.`: the rest of a filter value, or one tree value. */
type ValueReader = (c: Cursor) => string

/** The value of a top-level filter `col=<opExpr>`. */
export function parseFilterValue(input: string): OpExpr {
  return runParser('filter', input, (c) => {
    const opExpr = parseOpExpr(c, (cur) => cur.rest())
    // only `in.(...)` and `is.x` can stop early; PostgREST ignores what follows, we refuse it
    if (!c.atEnd) c.fail(['end of input'])
    return opExpr
  })
}

/**
 * Whether a value that failed to parse had already committed to an operator expression: PostgREST
 * then reports the error even for RPC reads instead of taking the value as a function argument.
 */
export function isCommittedOpExpr(value: string): boolean {
  return value.startsWith('not.') || value.startsWith('in.') || value.startsWith('is.')
}

function parseOpExpr(c: Cursor, readValue: ValueReader): OpExpr {
  const negated = c.eat('not.')
  return { negated, operation: parseOperation(c, readValue, negated) }
}

function parseOperation(c: Cursor, readValue: ValueReader, negated: boolean): Operation {
  const start = c.pos
  const op = c.take(/[a-z]*/y)
  if (op === 'in') {
    expectDelimiter(c)
    return { kind: 'in', values: parseList(c) }
  }
  if (op === 'is') {
    expectDelimiter(c)
    return { kind: 'is', value: parseIsValue(c) }
  }
  if (op === 'isdistinct') {
    expectDelimiter(c)
    return { kind: 'isDistinct', value: readValue(c) }
  }
  if (FTS_OPERATORS.has(op)) return parseFts(c, op as FtsOperator, readValue)
  if (SIMPLE_OPERATORS.has(op)) {
    expectDelimiter(c)
    return { kind: 'simple', operator: op as SimpleOperator, value: readValue(c) }
  }
  if (QUANT_OPERATORS.has(op)) return parseQuant(c, op as QuantOperator, readValue)
  return c.fail(negated ? [OPERATOR_EXPECTED] : [show('not'), OPERATOR_EXPECTED], start)
}

function expectDelimiter(c: Cursor): void {
  c.expect('.', ['delimiter (.)'])
}

function parseFts(c: Cursor, operator: FtsOperator, readValue: ValueReader): Operation {
  let language: string | undefined
  if (c.eat('(')) {
    language = parseIdentifier(c)
    c.expect(')')
  }
  expectDelimiter(c)
  return withDefined({ kind: 'fts', operator, language, value: readValue(c) })
}

function parseQuant(c: Cursor, operator: QuantOperator, readValue: ValueReader): Operation {
  const quantifier = c.eat('(any)') ? 'any' : c.eat('(all)') ? 'all' : undefined
  expectDelimiter(c)
  return withDefined({ kind: 'quant', operator, quantifier, value: readValue(c) })
}

const IS_VALUE = /not_null|null|true|false|unknown/iy

function parseIsValue(c: Cursor): IsValue {
  const text = c.take(IS_VALUE)
  if (text === '') c.fail(['isVal: (null, not_null, true, false, unknown)'])
  return text.toLowerCase() as IsValue
}

/**
 * pListVal: `(` element (`,` element)* `)`. An element is a quoted value (only when a `,` or `)`
 * follows it) or any run without `,` `)` (spaces, stray `"` and `\` kept). `()` is the empty
 * list, as PostgREST treats the single empty element.
 */
function parseList(c: Cursor): string[] {
  c.skipWs()
  c.expect('(')
  c.skipWs()
  const values = [parseListElement(c)]
  while (c.eat(',')) values.push(parseListElement(c))
  c.expect(')', [show(','), show(')')])
  c.skipWs()
  return values.length === 1 && values[0] === '' ? [] : values
}

const UNQUOTED_ELEMENT = /[^,)]*/y

function parseListElement(c: Cursor): string {
  return tryQuotedElement(c) ?? c.take(UNQUOTED_ELEMENT)
}

/** A quoted value counts only when it ends the element; otherwise it is read unquoted. */
function tryQuotedElement(c: Cursor): string | undefined {
  const start = c.pos
  const value = tryQuoted(c)
  if (value === undefined) return undefined
  if (c.atEnd || c.peek() === ',' || c.peek() === ')') return value
  c.pos = start
  return undefined
}

// ---------------------------------------------------------------------------------------------
// logic trees

/**
 * The value of `or=`, `and=`, `not.or=`… (`(tree, tree)`). PostgREST parses the operator and the
 * value together (`or(…)`), so error columns count from the operator text.
 */
export function parseLogicValue(input: string, negated: boolean, operator: 'and' | 'or'): LogicTree {
  const prefixLength = (negated ? 'not.' : '').length + operator.length
  return runParser(
    'logic tree',
    input,
    (c) => {
      const children = parseChildren(c, 1)
      if (!c.atEnd) c.fail(['end of input'])
      return { kind: 'expr', negated, operator, children }
    },
    prefixLength,
  )
}

function parseChildren(c: Cursor, depth: number): LogicTree[] {
  if (depth > MAX_NESTING_DEPTH) c.failWith(`logic tree nesting deeper than ${MAX_NESTING_DEPTH} levels`)
  c.skipWs()
  c.expect('(')
  c.skipWs()
  const children = [parseTree(c, depth)]
  c.skipWs()
  while (c.eat(',')) {
    c.skipWs()
    children.push(parseTree(c, depth))
    c.skipWs()
  }
  c.expect(')', [show(','), show(')')])
  c.skipWs()
  return children
}

/** A condition if one parses here, else a nested `[not.]and|or(...)`; the further failure is reported. */
function parseTree(c: Cursor, depth: number): LogicTree {
  const start = c.pos
  let filterFailure: SyntaxFailure | undefined
  try {
    const field = parseField(c)
    expectDelimiter(c)
    return { kind: 'filter', filter: { field, opExpr: parseOpExpr(c, readTreeValue) } }
  } catch (err) {
    if (!(err instanceof SyntaxFailure)) throw err
    filterFailure = err
    c.pos = start
  }
  try {
    const negated = c.eat('not.')
    const operator = c.eat('and') ? 'and' : c.eat('or') ? 'or' : c.fail(['logic operator (and, or)'])
    return { kind: 'expr', negated, operator, children: parseChildren(c, depth + 1) }
  } catch (err) {
    if (!(err instanceof SyntaxFailure)) throw err
    // like Parsec's `<|>`: once `[not.]and|or` consumed input its own error stands
    throw err.pos > start ? err : furthest(err, filterFailure)
  }
}

const UNQUOTED_TREE_VALUE = /[^,)]*/y
const ARRAY_LITERAL = /\{[^{}]*\}/y

/** pLogicSingleVal: quoted (ending the value), `{...}` kept with its braces, or a run without `,` `)`. */
function readTreeValue(c: Cursor): string {
  const quoted = tryQuotedElement(c)
  if (quoted !== undefined) return quoted
  if (c.peek() === '{') {
    const array = c.take(ARRAY_LITERAL)
    if (array !== '') return array
  }
  return c.take(UNQUOTED_TREE_VALUE)
}
