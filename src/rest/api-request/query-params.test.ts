import { describe, expect, it } from 'vitest'
import { ApiError } from '../../errors/api-error.js'
import { parseQueryParams } from './query-params.js'
import type { Field, JsonPathStep, LogicTree, OpExpr, Operation, OrderTerm, QueryParams, SelectItem } from './types.js'

// ---------------------------------------------------------------------------------------------
// helpers

const parse = (query: string, isRpcRead = false): QueryParams => parseQueryParams(query, { isRpcRead })
/** Passes a value through percent-encoding so the grammar sees it verbatim (`+`, `&`, `%`…). */
const q = (key: string, value: string): string => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`

const fld = (name: string, ...jsonPath: JsonPathStep[]): Field => ({ name, jsonPath })
const arrow = (key: string | number): JsonPathStep => ({ arrow: '->', key })
const arrow2 = (key: string | number): JsonPathStep => ({ arrow: '->>', key })
const col = (name: string, extra: Partial<Extract<SelectItem, { kind: 'field' }>> = {}): SelectItem => ({
  kind: 'field',
  field: fld(name),
  ...extra,
})
const star: SelectItem = { kind: 'star' }
const embed = (name: string, select: SelectItem[], extra: Partial<Extract<SelectItem, { kind: 'embed' }>> = {}): SelectItem => ({
  kind: 'embed',
  name,
  spread: false,
  select,
  ...extra,
})
const op = (operation: Operation, negated = false): OpExpr => ({ negated, operation })
const eq = (value: string): Operation => ({ kind: 'quant', operator: 'eq', value })
const cond = (field: Field, opExpr: OpExpr): LogicTree => ({ kind: 'filter', filter: { field, opExpr } })
const expr = (operator: 'and' | 'or', children: LogicTree[], negated = false): LogicTree => ({
  kind: 'expr',
  negated,
  operator,
  children,
})

function catchError(run: () => unknown): ApiError {
  try {
    run()
  } catch (err) {
    if (err instanceof ApiError) return err
    throw new Error(`expected an ApiError, got ${String(err)}`)
  }
  throw new Error('expected an ApiError, got a result')
}

/** Asserts PGRST100 with the given message prefix (and, when given, the exact column). */
function expectParseError(run: () => unknown, prefix: string, column?: number): ApiError {
  const err = catchError(run)
  expect({ status: err.status, code: err.code }).toEqual({ status: 400, code: 'PGRST100' })
  expect(err.message.startsWith(prefix), `${err.message} should start with ${prefix}`).toBe(true)
  if (column !== undefined) expect(err.message).toMatch(new RegExp(`\\(line 1, column ${column}\\)$`))
  expect(typeof err.details).toBe('string')
  return err
}

// ---------------------------------------------------------------------------------------------
// select

describe('select', () => {
  it.each<[string, SelectItem[]]>([
    ['*', [star]],
    ['', [star]],
    ['   ', [star]],
    ['id', [col('id')]],
    ['id,name', [col('id'), col('name')]],
    ['  id ,\tname  ', [col('id'), col('name')]],
    ['*,id', [star, col('id')]],
    ['alias:id', [col('id', { alias: 'alias' })]],
    ['alias: id', [col('id', { alias: 'alias' })]],
    ['id::text', [col('id', { cast: 'text' })]],
    ['id::character varying', [col('id', { cast: 'character varying' })]],
    ['id :: int4', [col('id', { cast: 'int4' })]],
    ['a:id::text', [col('id', { alias: 'a', cast: 'text' })]],
    // a field called count, not the aggregate
    ['count', [col('count')]],
    ['count,id', [col('count'), col('id')]],
    ['"count"', [col('count')]],
    // names
    ['first-name', [col('first-name')]],
    ['a-b-c', [col('a-b-c')]],
    ['my column', [col('my column')]],
    [' my  column ', [col('my  column')]],
    ['_x,$y,x1,123', [col('_x'), col('$y'), col('x1'), col('123')]],
    ['nombre,ñandú,名前', [col('nombre'), col('ñandú'), col('名前')]],
    ['"a.dotted.column","(inside,parens)"', [col('a.dotted.column'), col('(inside,parens)')]],
    ['"with\\"quote"', [col('with"quote')]],
    ['"back\\\\slash"', [col('back\\slash')]],
    ['"\\x"', [col('x')]],
    ['" padded "', [col(' padded ')]],
    ['"a:b":"c::d"', [col('c::d', { alias: 'a:b' })]],
  ])('parses fields: %j', (value, expected) => {
    expect(parse(q('select', value)).select).toEqual(expected)
  })

  it.each<[string, SelectItem[]]>([
    ['data->a', [{ kind: 'field', field: fld('data', arrow('a')) }]],
    ['data->>a', [{ kind: 'field', field: fld('data', arrow2('a')) }]],
    ['data->a->>b', [{ kind: 'field', field: fld('data', arrow('a'), arrow2('b')) }]],
    ['data->0', [{ kind: 'field', field: fld('data', arrow(0)) }]],
    ['data->>1', [{ kind: 'field', field: fld('data', arrow2(1)) }]],
    ['data->-1', [{ kind: 'field', field: fld('data', arrow(-1)) }]],
    ['data->-0', [{ kind: 'field', field: fld('data', arrow(0)) }]],
    ['data->1->a->>-2', [{ kind: 'field', field: fld('data', arrow(1), arrow('a'), arrow2(-2)) }]],
    ['data->1a', [{ kind: 'field', field: fld('data', arrow('1a')) }]],
    ['data->a-b', [{ kind: 'field', field: fld('data', arrow('a-b')) }]],
    ['data->!@#$%^&*_a', [{ kind: 'field', field: fld('data', arrow('!@#$%^&*_a')) }]],
    ['data->"a.b,c"', [{ kind: 'field', field: fld('data', arrow('a.b,c')) }]],
    ['data-> key ', [{ kind: 'field', field: fld('data', arrow('key')) }]],
    ['data->0,x', [{ kind: 'field', field: fld('data', arrow(0)) }, col('x')]],
    ['x:data->a::int', [{ kind: 'field', field: fld('data', arrow('a')), alias: 'x', cast: 'int' }]],
    ['data->>a::text,id', [{ kind: 'field', field: fld('data', arrow2('a')), cast: 'text' }, col('id')]],
    ['rel(data->0)', [embed('rel', [{ kind: 'field', field: fld('data', arrow(0)) }])]],
  ])('parses JSON paths: %j', (value, expected) => {
    expect(parse(q('select', value)).select).toEqual(expected)
  })

  it.each<[string, SelectItem[]]>([
    ['count()', [{ kind: 'count' }]],
    ['c:count()', [{ kind: 'count', alias: 'c' }]],
    ['count()::text', [{ kind: 'count', cast: 'text' }]],
    ['total:count()::int', [{ kind: 'count', alias: 'total', cast: 'int' }]],
    ['amount.sum()', [col('amount', { aggregate: 'sum' })]],
    ['amount.avg()', [col('amount', { aggregate: 'avg' })]],
    ['amount.count()', [col('amount', { aggregate: 'count' })]],
    ['amount.max()', [col('amount', { aggregate: 'max' })]],
    ['amount.min()', [col('amount', { aggregate: 'min' })]],
    ['amount.avg()::int', [col('amount', { aggregate: 'avg', aggregateCast: 'int' })]],
    ['amount::numeric.sum()', [col('amount', { cast: 'numeric', aggregate: 'sum' })]],
    ['s:amount::numeric.sum()::text', [col('amount', { alias: 's', cast: 'numeric', aggregate: 'sum', aggregateCast: 'text' })]],
    ['data->>x.max()', [{ kind: 'field', field: fld('data', arrow2('x')), aggregate: 'max' }]],
    // a second cast without an aggregate is accepted and ignored, as PostgREST does
    ['a::int::text', [col('a', { cast: 'int' })]],
    ['order_date,...customers(name.max())', [col('order_date'), embed('customers', [col('name', { aggregate: 'max' })], { spread: true })]],
  ])('parses aggregates: %j', (value, expected) => {
    expect(parse(q('select', value)).select).toEqual(expected)
  })

  it.each<[string, SelectItem[]]>([
    ['clients(*)', [embed('clients', [star])]],
    ['clients()', [embed('clients', [])]],
    ['clients( )', [embed('clients', [])]],
    ['clients(id,name)', [embed('clients', [col('id'), col('name')])]],
    ['clients ( id , name )', [embed('clients', [col('id'), col('name')])]],
    ['c:clients(id)', [embed('clients', [col('id')], { alias: 'c' })]],
    ['clients!fk(*)', [embed('clients', [star], { hint: 'fk' })]],
    ['clients!inner(*)', [embed('clients', [star], { joinType: 'inner' })]],
    ['clients!left(*)', [embed('clients', [star], { joinType: 'left' })]],
    ['clients!fk!inner(*)', [embed('clients', [star], { hint: 'fk', joinType: 'inner' })]],
    ['clients!inner!fk(*)', [embed('clients', [star], { hint: 'fk', joinType: 'inner' })]],
    ['a:clients!left!fk(id)', [embed('clients', [col('id')], { alias: 'a', hint: 'fk', joinType: 'left' })]],
    ['clients!"inner"(*)', [embed('clients', [star], { hint: 'inner' })]],
    ['clients!"my.fk"(*)', [embed('clients', [star], { hint: 'my.fk' })]],
    ['clients!a!b(*)', [embed('clients', [star], { hint: 'a' })]],
    ['clients!leftover(*)', [embed('clients', [star], { hint: 'leftover' })]],
    ['"my rel"(*)', [embed('my rel', [star])]],
    ['client-info(*)', [embed('client-info', [star])]],
    ['...rel(a,b)', [embed('rel', [col('a'), col('b')], { spread: true })]],
    ['...rel!hint!inner(*)', [embed('rel', [star], { spread: true, hint: 'hint', joinType: 'inner' })]],
    ['...rel()', [embed('rel', [], { spread: true })]],
    [
      'title,actors:roles(character,...actors(first_name))',
      [col('title'), embed('roles', [col('character'), embed('actors', [col('first_name')], { spread: true })], { alias: 'actors' })],
    ],
    [
      '*,client(*,nested(*,deeper(id)))',
      [star, embed('client', [star, embed('nested', [star, embed('deeper', [col('id')])])])],
    ],
    ['a(b(c(d)))', [embed('a', [embed('b', [embed('c', [col('d')])])])]],
    ['rel(count())', [embed('rel', [{ kind: 'count' }])]],
  ])('parses embeds: %j', (value, expected) => {
    expect(parse(q('select', value)).select).toEqual(expected)
  })

  it('nests up to 100 levels', () => {
    const value = `${'a('.repeat(100)}b${')'.repeat(100)}`
    let item = parse(q('select', value)).select[0]
    for (let depth = 0; depth < 100; depth++) {
      expect(item).toMatchObject({ kind: 'embed', name: 'a' })
      item = item?.kind === 'embed' ? item.select[0] : undefined
    }
    expect(item).toEqual(col('b'))
  })

  it.each<[string, number | undefined]>([
    ['id,', 4],
    [',id', 1],
    ['id,,name', 4],
    ['id)', 3],
    ['rel(id', 7],
    ['rel(id))', 8],
    ['(id)', 1],
    ['a:*', 3],
    ['alias:...rel(*)', 7],
    ['id!hint', 8],
    ['*!hint', 2],
    ['name[]', 5],
    ['id,clients(name[])', 16],
    ['data->>-78xy', 11],
    ['data->>--34', 9],
    ['data->', 7],
    ['data->(x)', 7],
    ['name::', 7],
    ['name::int[]', 10],
    ['count(*)', 7],
    ['count(id)', 7],
    ['count!inner(id)', 6],
    ['"count"()', 9],
    ['count ()', 8],
    ['...rel', 7],
    ['...rel->x(*)', 7],
    ['rel->x(*)', 7],
    ['"unterminated', 14],
    ['"a"b', 4],
    ['a.sum', 2],
    ['a.foo()', 2],
    ['a.sum()x', 8],
    ['rel!a!b!c(*)', 8],
    ['a-', 3],
    ['a-,b', 3],
    ['a b c:', 7],
    [':a', 1],
    ['a:b:c', 4],
    ['rel(*),', 8],
    ['a\u0000b', 2],
  ])('refuses %j', (value, column) => {
    expectParseError(() => parse(q('select', value)), `"failed to parse select parameter (${value})" (line 1, column`, column)
  })

  it('reports the error column in characters, not UTF-16 units', () => {
    expectParseError(() => parse(q('select', '𝒜,)')), '"failed to parse select parameter', 3)
  })

  it('gives Parsec-like details', () => {
    expect(catchError(() => parse(q('select', 'id)'))).details).toBe('unexpected ")" expecting "," or end of input')
  })

  it.each([
    ['1,000 nested embeds', `${'a('.repeat(1000)}b${')'.repeat(1000)}`],
    ['101 nested embeds', `${'a('.repeat(101)}b${')'.repeat(101)}`],
    ['1,000 open parens', '('.repeat(1000)],
    ['1,000 unclosed embeds', 'a('.repeat(1000)],
    ['10,000 quotes', '"'.repeat(10000)],
  ])('refuses %s with PGRST100', (_, value) => {
    expectParseError(() => parse(q('select', value)), '"failed to parse select parameter')
  })

  it('parses a 10,000-character name', () => {
    expect(parse(q('select', 'x'.repeat(10000))).select).toEqual([col('x'.repeat(10000))])
  })
})

// ---------------------------------------------------------------------------------------------
// filters

describe('filters', () => {
  it.each<[string, Operation, boolean?]>([
    ['eq.1', eq('1')],
    ['eq.', eq('')],
    ['eq.a.b.c', eq('a.b.c')],
    ['eq."a,b"', eq('"a,b"')],
    ['eq.(x)', eq('(x)')],
    ['eq.a b', eq('a b')],
    ['gt.5', { kind: 'quant', operator: 'gt', value: '5' }],
    ['gte.5', { kind: 'quant', operator: 'gte', value: '5' }],
    ['lt.5', { kind: 'quant', operator: 'lt', value: '5' }],
    ['lte.5', { kind: 'quant', operator: 'lte', value: '5' }],
    ['like.*abc*', { kind: 'quant', operator: 'like', value: '*abc*' }],
    ['ilike.*ABC*', { kind: 'quant', operator: 'ilike', value: '*ABC*' }],
    ['match.^a.*$', { kind: 'quant', operator: 'match', value: '^a.*$' }],
    ['imatch.^A', { kind: 'quant', operator: 'imatch', value: '^A' }],
    ['eq(any).{a,b}', { kind: 'quant', operator: 'eq', quantifier: 'any', value: '{a,b}' }],
    ['like(all).{a*,*b}', { kind: 'quant', operator: 'like', quantifier: 'all', value: '{a*,*b}' }],
    ['gt(any).{1,2}', { kind: 'quant', operator: 'gt', quantifier: 'any', value: '{1,2}' }],
    ['neq.1', { kind: 'simple', operator: 'neq', value: '1' }],
    ['cs.{1,2}', { kind: 'simple', operator: 'cs', value: '{1,2}' }],
    ['cd.{1,2}', { kind: 'simple', operator: 'cd', value: '{1,2}' }],
    ['ov.[1,10)', { kind: 'simple', operator: 'ov', value: '[1,10)' }],
    ['sl.(1,10)', { kind: 'simple', operator: 'sl', value: '(1,10)' }],
    ['sr.(1,10)', { kind: 'simple', operator: 'sr', value: '(1,10)' }],
    ['nxr.(1,10)', { kind: 'simple', operator: 'nxr', value: '(1,10)' }],
    ['nxl.(1,10)', { kind: 'simple', operator: 'nxl', value: '(1,10)' }],
    ['adj.(1,10)', { kind: 'simple', operator: 'adj', value: '(1,10)' }],
    ['in.(1,2,3)', { kind: 'in', values: ['1', '2', '3'] }],
    ['in.()', { kind: 'in', values: [] }],
    ['in.(   )', { kind: 'in', values: [] }],
    ['in.("")', { kind: 'in', values: [] }],
    ['in.( ,3)', { kind: 'in', values: ['', '3'] }],
    ['in.(,)', { kind: 'in', values: ['', ''] }],
    ['in.( 1, 2 )', { kind: 'in', values: ['1', ' 2 '] }],
    ['in.("a,b","c)d",e)', { kind: 'in', values: ['a,b', 'c)d', 'e'] }],
    ['in.("a\\"b","c\\\\d")', { kind: 'in', values: ['a"b', 'c\\d'] }],
    ['in.("a" ,b)', { kind: 'in', values: ['"a" ', 'b'] }],
    ['in.(a"b,c\\d)', { kind: 'in', values: ['a"b', 'c\\d'] }],
    ['in.("unterminated,b)', { kind: 'in', values: ['"unterminated', 'b'] }],
    ['in.((a)', { kind: 'in', values: ['(a'] }],
    ['in. (1) ', { kind: 'in', values: ['1'] }],
    ['is.null', { kind: 'is', value: 'null' }],
    ['is.NULL', { kind: 'is', value: 'null' }],
    ['is.not_null', { kind: 'is', value: 'not_null' }],
    ['is.NOT_NULL', { kind: 'is', value: 'not_null' }],
    ['is.true', { kind: 'is', value: 'true' }],
    ['is.False', { kind: 'is', value: 'false' }],
    ['is.unknown', { kind: 'is', value: 'unknown' }],
    ['isdistinct.5', { kind: 'isDistinct', value: '5' }],
    ['isdistinct.', { kind: 'isDistinct', value: '' }],
    ['fts.cat', { kind: 'fts', operator: 'fts', value: 'cat' }],
    ['fts(english).cat & dog', { kind: 'fts', operator: 'fts', language: 'english', value: 'cat & dog' }],
    ['plfts.fat cat', { kind: 'fts', operator: 'plfts', value: 'fat cat' }],
    ['phfts(german).x', { kind: 'fts', operator: 'phfts', language: 'german', value: 'x' }],
    ['wfts(simple)."a" -b', { kind: 'fts', operator: 'wfts', language: 'simple', value: '"a" -b' }],
  ])('parses %j', (value, operation) => {
    expect(parse(q('col', value)).filters).toEqual([{ path: [], filter: { field: fld('col'), opExpr: op(operation) } }])
  })

  it.each<[string, Operation]>([
    ['not.eq.1', eq('1')],
    ['not.in.(1,2)', { kind: 'in', values: ['1', '2'] }],
    ['not.in.()', { kind: 'in', values: [] }],
    ['not.is.null', { kind: 'is', value: 'null' }],
    ['not.like(any).{a*}', { kind: 'quant', operator: 'like', quantifier: 'any', value: '{a*}' }],
    ['not.fts(english).x', { kind: 'fts', operator: 'fts', language: 'english', value: 'x' }],
    ['not.isdistinct.1', { kind: 'isDistinct', value: '1' }],
  ])('parses the negation %j', (value, operation) => {
    expect(parse(q('col', value)).filters).toEqual([{ path: [], filter: { field: fld('col'), opExpr: op(operation, true) } }])
  })

  it.each<[string, string[], Field]>([
    ['id', [], fld('id')],
    ['data->>blood_type', [], fld('data', arrow2('blood_type'))],
    ['data->age', [], fld('data', arrow('age'))],
    ['data->0->>a', [], fld('data', arrow(0), arrow2('a'))],
    ['"information.cpe"', [], fld('information.cpe')],
    ['actors.name', ['actors'], fld('name')],
    ['a.b.c', ['a', 'b'], fld('c')],
    ['90_comps.year', ['90_comps'], fld('year')],
    ['rel.data->x', ['rel'], fld('data', arrow('x'))],
    ['"my rel"."my col"', ['my rel'], fld('my col')],
    ['first-name', [], fld('first-name')],
    // a key that merely ends like a reserved word is still a filter
    ['selected', [], fld('selected')],
    ['a.select', ['a'], fld('select')],
    ['orders', [], fld('orders')],
  ])('parses the key %j', (key, path, field) => {
    expect(parse(`${encodeURIComponent(key)}=eq.1`).filters).toEqual([{ path, filter: { field, opExpr: op(eq('1')) } }])
  })

  it('keeps filters in order, repeats included', () => {
    expect(parse('id=gt.1&id=lt.5&name=eq.x').filters).toEqual([
      { path: [], filter: { field: fld('id'), opExpr: op({ kind: 'quant', operator: 'gt', value: '1' }) } },
      { path: [], filter: { field: fld('id'), opExpr: op({ kind: 'quant', operator: 'lt', value: '5' }) } },
      { path: [], filter: { field: fld('name'), opExpr: op(eq('x')) } },
    ])
  })

  it.each<[string, string, string, number?]>([
    ['a', 'noop.1', '"failed to parse filter (noop.1)"', 1],
    ['a', 'eq', '"failed to parse filter (eq)"', 3],
    ['a', '1', '"failed to parse filter (1)"', 1],
    ['a', 'EQ.1', '"failed to parse filter (EQ.1)"', 1],
    ['a', 'eqx.1', '"failed to parse filter (eqx.1)"', 1],
    ['a', 'eq(some).1', '"failed to parse filter (eq(some).1)"', 3],
    ['a', 'eq().1', '"failed to parse filter (eq().1)"', 3],
    ['a', 'neq(any).1', '"failed to parse filter (neq(any).1)"', 4],
    ['a', 'in.1,2', '"failed to parse filter (in.1,2)"', 4],
    ['a', 'in.(1', '"failed to parse filter (in.(1)"', 6],
    ['a', 'in.(1)x', '"failed to parse filter (in.(1)x)"', 7],
    ['a', 'in().1', '"failed to parse filter (in().1)"', 3],
    ['a', 'is.maybe', '"failed to parse filter (is.maybe)"', 4],
    ['a', 'is.nullx', '"failed to parse filter (is.nullx)"', 8],
    ['a', 'is.', '"failed to parse filter (is.)"', 4],
    ['a', 'fts().x', '"failed to parse filter (fts().x)"', 5],
    ['a', 'fts(english.x', '"failed to parse filter (fts(english.x)"', 12],
    ['a', 'not.foo.1', '"failed to parse filter (not.foo.1)"', 5],
    ['a', 'not.not.eq.1', '"failed to parse filter (not.not.eq.1)"', 5],
    ['a', 'not', '"failed to parse filter (not)"', 1],
    ['a', '', '"failed to parse filter ()"', 1],
    ['a', '\u0000', '"failed to parse filter (\u0000)"', 1],
    ['a::text', 'eq.1', '"failed to parse tree path (a::text)"', 2],
    ['', 'eq.1', '"failed to parse tree path ()"', 1],
    ['a.', 'eq.1', '"failed to parse tree path (a.)"', 3],
    ['a)', 'eq.1', '"failed to parse tree path (a))"', 2],
    ['"a"b', 'eq.1', '"failed to parse tree path ("a"b)"', 4],
    [' ', 'eq.1', '"failed to parse tree path ( )"', 1],
  ])('refuses %j=%j', (key, value, prefix, column) => {
    expectParseError(() => parse(q(key, value)), prefix, column)
  })

  it('reports the tree path before the value', () => {
    expectParseError(() => parse(q('a::x', 'noop')), '"failed to parse tree path')
  })

  it('takes the value verbatim at the top level: no quote processing', () => {
    expect(parse(q('a', 'eq."quoted"')).filters[0]?.filter.opExpr).toEqual(op(eq('"quoted"')))
  })
})

// ---------------------------------------------------------------------------------------------
// RPC reads

describe('RPC read arguments', () => {
  it('takes values that are not operator expressions as arguments, in order, repeats kept', () => {
    const result = parse('id=5&id=gt.2&name=a&name=b&x=&y=eq&z=in&w=fts(x', true)
    expect(result.rpcArgs).toEqual([
      ['id', '5'],
      ['name', 'a'],
      ['name', 'b'],
      ['x', ''],
      ['y', 'eq'],
      ['z', 'in'],
      ['w', 'fts(x'],
    ])
    expect(result.filters).toEqual([
      { path: [], filter: { field: fld('id'), opExpr: op({ kind: 'quant', operator: 'gt', value: '2' }) } },
    ])
  })

  it('names an argument after its parsed field name', () => {
    expect(parse(`${encodeURIComponent('"my arg"')}=1&rel.x=2`, true).rpcArgs).toEqual([
      ['my arg', '1'],
      ['x', '2'],
    ])
  })

  it.each([
    ['not.sure', '"failed to parse filter (not.sure)"'],
    ['is.x', '"failed to parse filter (is.x)"'],
    ['in.x', '"failed to parse filter (in.x)"'],
    ['in.(1', '"failed to parse filter (in.(1)"'],
  ])('still refuses %j, which committed to an operator', (value, prefix) => {
    expectParseError(() => parse(q('a', value), true), prefix)
  })

  it('refuses a bad argument name', () => {
    expectParseError(() => parse('a::b=1', true), '"failed to parse tree path (a::b)"')
  })

  it('has no arguments for tables', () => {
    expect(parse('id=eq.5').rpcArgs).toEqual([])
  })
})

// ---------------------------------------------------------------------------------------------
// logic trees

describe('logic trees', () => {
  const a1 = cond(fld('a'), op(eq('1')))
  const b2 = cond(fld('b'), op(eq('2')))

  it.each<[string, string, { path: string[]; tree: LogicTree }]>([
    ['or', '(a.eq.1,b.eq.2)', { path: [], tree: expr('or', [a1, b2]) }],
    ['and', '(a.eq.1,b.eq.2)', { path: [], tree: expr('and', [a1, b2]) }],
    ['or', '(a.eq.1)', { path: [], tree: expr('or', [a1]) }],
    ['not.or', '(a.eq.1,b.eq.2)', { path: [], tree: expr('or', [a1, b2], true) }],
    ['not.and', '(a.eq.1)', { path: [], tree: expr('and', [a1], true) }],
    ['actors.or', '(a.eq.1)', { path: ['actors'], tree: expr('or', [a1]) }],
    ['rel.not.or', '(a.eq.1)', { path: ['rel'], tree: expr('or', [a1], true) }],
    ['a.b.and', '(a.eq.1)', { path: ['a', 'b'], tree: expr('and', [a1]) }],
    ['or', '(a.eq.1,not.and(b.eq.2,a.eq.1))', { path: [], tree: expr('or', [a1, expr('and', [b2, a1], true)]) }],
    ['and', '(or(a.eq.1,b.eq.2),and(a.eq.1))', { path: [], tree: expr('and', [expr('or', [a1, b2]), expr('and', [a1])]) }],
    ['or', '( a.eq.1 , b.eq.2 )', { path: [], tree: expr('or', [cond(fld('a'), op(eq('1 '))), cond(fld('b'), op(eq('2 ')))]) }],
    ['or', '(a.eq."x,y",b.eq."p)q")', { path: [], tree: expr('or', [cond(fld('a'), op(eq('x,y'))), cond(fld('b'), op(eq('p)q')))]) }],
    ['or', '(a.eq."esc\\"aped")', { path: [], tree: expr('or', [cond(fld('a'), op(eq('esc"aped')))]) }],
    ['or', '(a.eq."x"y)', { path: [], tree: expr('or', [cond(fld('a'), op(eq('"x"y')))]) }],
    ['or', '(a.eq.)', { path: [], tree: expr('or', [cond(fld('a'), op(eq('')))]) }],
    [
      'or',
      '(tags.cs.{a,b},r.adj."[18,21)")',
      {
        path: [],
        tree: expr('or', [
          cond(fld('tags'), op({ kind: 'simple', operator: 'cs', value: '{a,b}' })),
          cond(fld('r'), op({ kind: 'simple', operator: 'adj', value: '[18,21)' })),
        ]),
      },
    ],
    [
      'or',
      '(id.in.(1,"2,3"),id.not.in.())',
      {
        path: [],
        tree: expr('or', [
          cond(fld('id'), op({ kind: 'in', values: ['1', '2,3'] })),
          cond(fld('id'), op({ kind: 'in', values: [] }, true)),
        ]),
      },
    ],
    [
      'or',
      '(actors.is.null,directors.not.is.NULL)',
      {
        path: [],
        tree: expr('or', [
          cond(fld('actors'), op({ kind: 'is', value: 'null' })),
          cond(fld('directors'), op({ kind: 'is', value: 'null' }, true)),
        ]),
      },
    ],
    [
      'or',
      '(data->a.eq.1,data->>0.gt.2)',
      {
        path: [],
        tree: expr('or', [
          cond(fld('data', arrow('a')), op(eq('1'))),
          cond(fld('data', arrow2(0)), op({ kind: 'quant', operator: 'gt', value: '2' })),
        ]),
      },
    ],
    [
      'and',
      '(t.fts(english).cat,n.like(any).{a*,b*},x.isdistinct.3)',
      {
        path: [],
        tree: expr('and', [
          cond(fld('t'), op({ kind: 'fts', operator: 'fts', language: 'english', value: 'cat' })),
          cond(fld('n'), op({ kind: 'quant', operator: 'like', quantifier: 'any', value: '{a*,b*}' })),
          cond(fld('x'), op({ kind: 'isDistinct', value: '3' })),
        ]),
      },
    ],
    // a column named like a logic operator is a condition
    ['or', '(or.eq.1,and.eq.2)', { path: [], tree: expr('or', [cond(fld('or'), op(eq('1'))), cond(fld('and'), op(eq('2')))]) }],
    ['or', '("a.b".eq.1)', { path: [], tree: expr('or', [cond(fld('a.b'), op(eq('1')))]) }],
  ])('parses %s=%s', (key, value, expected) => {
    expect(parse(q(key, value)).logic).toEqual([expected])
  })

  it('keeps every logic parameter', () => {
    expect(parse('or=(a.eq.1)&or=(b.eq.2)').logic).toEqual([
      { path: [], tree: expr('or', [a1]) },
      { path: [], tree: expr('or', [b2]) },
    ])
  })

  it('nests up to 100 levels', () => {
    const value = `(${'and('.repeat(99)}a.eq.1${')'.repeat(100)}`
    expect(parse(q('or', value)).logic).toHaveLength(1)
  })

  it.each<[string, string, number?]>([
    ['or', '()', 4],
    ['or', '', 3],
    ['or', '(id.in.1,2)', 10],
    ['or', ')(', 3],
    ['and', '(ord(id.eq.1,id.eq.1),id.eq.2)', 7],
    ['or', '(id.eq.1,not.xor(id.eq.2,id.eq.3))', 16],
    ['or', '(a.eq.1', 10],
    ['or', '(a.eq.1)x', 11],
    ['or', '(a.eq.1,)', 11],
    ['or', '(,a.eq.1)', 4],
    ['or', '(a.eq.1))', 11],
    ['or', '(a.noop.1)', 6],
    ['or', '(a)', 5],
    ['or', '(a.is.nullx)', 13],
    ['or', '(a.eq.{1,2)', 13],
    ['not.or', '()', 8],
    ['or', '(and())', 8],
    ['or', 'a.eq.1', 3],
  ])('refuses %s=%s', (key, value, column) => {
    expectParseError(() => parse(q(key, value)), `"failed to parse logic tree (${value})"`, column)
  })

  it.each([
    ['1,000 nested trees', `(${'and('.repeat(1000)}a.eq.1${')'.repeat(1001)}`],
    ['101 nested trees', `(${'and('.repeat(101)}a.eq.1${')'.repeat(102)}`],
    ['1,000 open parens', '('.repeat(1000)],
    ['5,000 unterminated quotes', `(${'a.in.("x,'.repeat(5000)}`],
  ])('refuses %s with PGRST100', (_, value) => {
    expectParseError(() => parse(q('or', value)), '"failed to parse logic tree')
  })

  it.each([
    ['a->b.or', '"failed to parse logic path (a->b.or)"'],
    ['.or', '"failed to parse logic path (.or)"'],
  ])('refuses the key %j', (key, prefix) => {
    expectParseError(() => parse(q(key, '(a.eq.1)')), prefix)
  })
})

// ---------------------------------------------------------------------------------------------
// order

describe('order', () => {
  it.each<[string, OrderTerm[]]>([
    ['id', [{ field: fld('id') }]],
    ['id.asc', [{ field: fld('id'), direction: 'asc' }]],
    ['id.desc', [{ field: fld('id'), direction: 'desc' }]],
    ['id.nullsfirst', [{ field: fld('id'), nulls: 'first' }]],
    ['id.nullslast', [{ field: fld('id'), nulls: 'last' }]],
    ['name.desc.nullsfirst', [{ field: fld('name'), direction: 'desc', nulls: 'first' }]],
    ['id.asc.nullslast', [{ field: fld('id'), direction: 'asc', nulls: 'last' }]],
    ['a,b.desc', [{ field: fld('a') }, { field: fld('b'), direction: 'desc' }]],
    [' a , b ', [{ field: fld('a') }, { field: fld('b') }]],
    ['json_col->key.asc.nullslast', [{ field: fld('json_col', arrow('key')), direction: 'asc', nulls: 'last' }]],
    ['data->>a->0', [{ field: fld('data', arrow2('a'), arrow(0)) }]],
    ['data->0.desc', [{ field: fld('data', arrow(0)), direction: 'desc' }]],
    ['clients(name)', [{ field: fld('name'), relation: 'clients' }]],
    [
      'clients(json_col->key).desc.nullsfirst',
      [{ field: fld('json_col', arrow('key')), relation: 'clients', direction: 'desc', nulls: 'first' }],
    ],
    ['clients( name )', [{ field: fld('name'), relation: 'clients' }]],
    ['name,clients(name),id', [{ field: fld('name') }, { field: fld('name'), relation: 'clients' }, { field: fld('id') }]],
    ['"a.b".asc', [{ field: fld('a.b'), direction: 'asc' }]],
    ['first-name.desc', [{ field: fld('first-name'), direction: 'desc' }]],
  ])('parses %j', (value, terms) => {
    expect(parse(q('order', value)).order).toEqual([{ path: [], terms }])
  })

  it('applies per embed path', () => {
    expect(parse('actors.order=last_name&roles.actors.order=id.desc').order).toEqual([
      { path: ['actors'], terms: [{ field: fld('last_name') }] },
      { path: ['roles', 'actors'], terms: [{ field: fld('id'), direction: 'desc' }] },
    ])
  })

  it.each<[string, number]>([
    ['', 1],
    ['id.ac', 4],
    ['id.descc', 8],
    ['id.nulsfist', 4],
    ['id.nullslasttt', 13],
    ['id.smth34', 4],
    ['id.asc.nlsfst', 8],
    ['id.asc.nullslasttt', 17],
    ['id.asc.smth34', 8],
    ['id.nullsfirst.asc', 14],
    ['clients(name,id)', 13],
    ['clients(name', 13],
    ['id,', 4],
    ['id::text', 3],
    ['id.', 4],
  ])('refuses %j', (value, column) => {
    expectParseError(() => parse(q('order', value)), `"failed to parse order (${value})"`, column)
  })

  it('refuses a bad order key', () => {
    expectParseError(() => parse(q('a::b.order', 'id')), '"failed to parse tree path (a::b.order)"')
  })
})

// ---------------------------------------------------------------------------------------------
// limit / offset

describe('limit and offset', () => {
  it.each<[string, QueryParams['limits']]>([
    ['limit=5', [{ path: [], limit: 5 }]],
    ['limit=0', [{ path: [], limit: 0 }]],
    ['offset=3', [{ path: [], offset: 3 }]],
    ['limit=5&offset=10', [{ path: [], limit: 5, offset: 10 }]],
    ['offset=10&limit=5', [{ path: [], limit: 5, offset: 10 }]],
    ['actors.limit=2&actors.offset=1', [{ path: ['actors'], limit: 2, offset: 1 }]],
    ['roles.actors.limit=1&limit=3', [{ path: ['roles', 'actors'], limit: 1 }, { path: [], limit: 3 }]],
    // the last occurrence wins, as in PostgREST's map of ranges
    ['limit=1&limit=2', [{ path: [], limit: 2 }]],
    ['limit=1&limit=x', [{ path: [] }]],
    // a negative offset is a no-op
    ['offset=-4', [{ path: [], offset: 0 }]],
    // like Haskell's readMaybe: surrounding spaces are fine, anything else is ignored
    ['limit=+5', [{ path: [], limit: 5 }]],
    ['limit=%205%20', [{ path: [], limit: 5 }]],
    ['limit=abc', [{ path: [] }]],
    ['limit=1.5&offset=1e3', [{ path: [] }]],
    ['limit=', [{ path: [] }]],
    ['limit', []],
    ['', []],
  ])('parses %j', (query, limits) => {
    expect(parse(query).limits).toEqual(limits)
  })

  const negativeLimits = ['limit=-1', 'actors.limit=-1', 'limit=-1&offset=2', 'limit=0&limit=-5']
  it.each(negativeLimits)('refuses the negative limit %j with PGRST103', (query) => {
    const err = catchError(() => parse(query))
    expect({ status: err.status, code: err.code, message: err.message, details: err.details }).toEqual({
      status: 416,
      code: 'PGRST103',
      message: 'Requested range not satisfiable',
      details: 'Limit should be greater than or equal to zero.',
    })
  })

  it('refuses a bad limit key', () => {
    expectParseError(() => parse('a::b.limit=1'), '"failed to parse tree path (a::b.limit)"')
  })

  it('reports parse errors before a negative limit', () => {
    expectParseError(() => parse('limit=-1&select=)'), '"failed to parse select parameter')
  })
})

// ---------------------------------------------------------------------------------------------
// columns / on_conflict

describe('columns and on_conflict', () => {
  it.each<[string, string[]]>([
    ['a', ['a']],
    ['a,b,c', ['a', 'b', 'c']],
    [' a , b ', ['a', 'b']],
    ['"b,c",d', ['b,c', 'd']],
    ['a,b,a', ['a', 'b']],
    ['first-name,my col', ['first-name', 'my col']],
  ])('parses columns=%j', (value, expected) => {
    expect(parse(q('columns', value)).columns).toEqual(expected)
  })

  it.each<[string, string[]]>([
    ['a', ['a']],
    ['a,b', ['a', 'b']],
    [' "x.y" , z', ['x.y', 'z']],
  ])('parses on_conflict=%j', (value, expected) => {
    expect(parse(q('on_conflict', value)).onConflict).toEqual(expected)
  })

  it('leaves both out when absent', () => {
    const result = parse('id=eq.1')
    expect(result.columns).toBeUndefined()
    expect(result.onConflict).toBeUndefined()
  })

  it.each<[string, string, string, number]>([
    ['columns', '', '"failed to parse columns parameter ()"', 1],
    ['columns', 'a,', '"failed to parse columns parameter (a,)"', 3],
    ['columns', ',a', '"failed to parse columns parameter (,a)"', 1],
    ['columns', 'a)', '"failed to parse columns parameter (a))"', 2],
    ['columns', 'a->b', '"failed to parse columns parameter (a->b)"', 2],
    ['on_conflict', '', '"failed to parse on_conflict parameter ()"', 1],
    ['on_conflict', 'a,,b', '"failed to parse on_conflict parameter (a,,b)"', 3],
  ])('refuses %s=%j', (key, value, prefix, column) => {
    expectParseError(() => parse(q(key, value)), prefix, column)
  })
})

// ---------------------------------------------------------------------------------------------
// classification and decoding

describe('classification', () => {
  it('classifies every kind of parameter', () => {
    const result = parse(
      'select=id&id=eq.1&a.b=gt.2&order=id&actors.order=name&limit=1&actors.offset=2&or=(x.eq.1)&rel.not.and=(y.eq.2)&columns=a&on_conflict=b&flag',
    )
    expect(result).toEqual({
      select: [col('id')],
      filters: [
        { path: [], filter: { field: fld('id'), opExpr: op(eq('1')) } },
        { path: ['a'], filter: { field: fld('b'), opExpr: op({ kind: 'quant', operator: 'gt', value: '2' }) } },
      ],
      logic: [
        { path: [], tree: expr('or', [cond(fld('x'), op(eq('1')))]) },
        { path: ['rel'], tree: expr('and', [cond(fld('y'), op(eq('2')))], true) },
      ],
      order: [
        { path: [], terms: [{ field: fld('id') }] },
        { path: ['actors'], terms: [{ field: fld('name') }] },
      ],
      limits: [
        { path: [], limit: 1 },
        { path: ['actors'], offset: 2 },
      ],
      columns: ['a'],
      onConflict: ['b'],
      rpcArgs: [],
      canonical:
        'a.b=gt.2&actors.offset=2&actors.order=name&columns=a&flag=&id=eq.1&limit=1&on_conflict=b' +
        '&or=%28x.eq.1%29&order=id&rel.not.and=%28y.eq.2%29&select=id',
    })
  })

  it.each<[string, SelectItem[]]>([
    ['select=a&select=b', [col('a')]],
    ['select=&select=b', [star]],
    // the first `select` has no `=`, so there is no select at all
    ['select&select=b', [star]],
    ['', [star]],
  ])('uses the first select: %j', (query, select) => {
    expect(parse(query).select).toEqual(select)
  })

  it('uses the first columns and on_conflict', () => {
    const result = parse('columns=a&columns=b&on_conflict=c&on_conflict=)')
    expect(result.columns).toEqual(['a'])
    expect(result.onConflict).toEqual(['c'])
  })

  it('ignores parameters without `=` (and empty pairs)', () => {
    expect(parse('id&&;order&or&select').filters).toEqual([])
  })

  it('does not treat select/columns/on_conflict under a path as reserved', () => {
    expectParseError(() => parse('rel.select=id'), '"failed to parse filter (id)"')
  })

  it.each<[string, string]>([
    ['a=eq.x;b=eq.y', 'x'],
    ['a=eq.a+b', 'a b'],
    ['a=eq.a%2Bb', 'a+b'],
    ['a=eq.%26%3D%3B', '&=;'],
    ['a=eq.%C3%A9', 'é'],
    ['a=eq.é', 'é'],
    ['a=eq.%ZZ%', '%ZZ%'],
    ['a=eq.%4', '%4'],
    ['a=eq.%00', '\u0000'],
    ['a=eq.x=y', 'x=y'],
  ])('decodes %j', (query, value) => {
    expect(parse(query).filters[0]?.filter.opExpr).toEqual(op(eq(value)))
  })

  it('decodes keys too', () => {
    expect(parse('%22a%20b%22=eq.1&c+d=eq.2').filters.map((f) => f.filter.field.name)).toEqual(['a b', 'c d'])
  })

  it.each(['a=eq.%C3%28', 'a=eq.%FF', '%80=eq.1', 'select=%ED%A0%80'])('refuses invalid UTF-8 in %j with PGRST100', (query) => {
    const err = catchError(() => parse(query))
    expect({ status: err.status, code: err.code }).toEqual({ status: 400, code: 'PGRST100' })
  })
})

describe('canonical query', () => {
  it.each<[string, string]>([
    ['a=1&c=3&b=2&d', 'a=1&b=2&c=3&d='],
    ['b=2&a=1&b=1', 'a=1&b=2&b=1'],
    ['select=id,name', 'select=id%2Cname'],
    ['a=x+y', 'a=x%20y'],
    ['a=%C3%A9', 'a=%C3%A9'],
    ['a=é', 'a=%C3%A9'],
    ['a=-_.~*', 'a=-_.~%2A'],
    ['z=1;a=2', 'a=2&z=1'],
    ['', ''],
    ['?a=1', 'a=1'],
  ])('canonicalises %j', (query, canonical) => {
    // as RPC arguments, so that any value is accepted
    expect(parse(query, true).canonical).toBe(canonical)
  })
})

describe('robustness', () => {
  it.each([
    ['a NUL in a key', '%00=eq.1'],
    ['a NUL in select', 'select=%00'],
    ['a NUL in order', 'order=%00'],
    ['unbalanced select', 'select=a(b(c)'],
    ['unbalanced or', 'or=((a.eq.1)'],
    ['unbalanced in', 'a=in.(1,(2'],
  ])('turns %s into PGRST100', (_, query) => {
    const err = catchError(() => parse(query))
    expect({ status: err.status, code: err.code }).toEqual({ status: 400, code: 'PGRST100' })
  })

  it('parses 10,000-character values of every kind quickly', () => {
    const long = 'x'.repeat(10_000)
    const start = performance.now()
    const params = [
      q('select', long),
      q('a', `eq.${long}`),
      q('or', `(a.eq.${long})`),
      q('order', long),
      q('columns', long),
      q('on_conflict', long),
      q('b', `in.(${long})`),
    ]
    const result = parse(params.join('&'))
    expect(result.filters).toHaveLength(2)
    expect(performance.now() - start).toBeLessThan(1000)
  })

  it('stays linear on many unterminated quotes', () => {
    const start = performance.now()
    catchError(() => parse(q('a', `in.(${'"x,'.repeat(10_000)}`)))
    catchError(() => parse(q('or', `(${'a.eq."x,'.repeat(5_000)}`)))
    expect(performance.now() - start).toBeLessThan(1000)
  })
})
