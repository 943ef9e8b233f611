/**
 * Fuzz support: whole HTTP requests to the REST API, shaped by PostgREST's URL grammar (select with
 * embeds, spreads, casts, JSON paths and aggregates; filters with every operator and its not./any/all
 * modifiers; or/and trees; order, limit/offset, on_conflict, columns), its headers (Prefer, Accept,
 * Range, Content-Type, the profiles, Authorization) and bodies, with random text mixed in at every
 * level so the parsers' error paths are reached too. Shared by test/fuzz.test.ts and scripts/fuzz.ts.
 */
import fc from 'fast-check'

/** The tables and functions the requests name; the grants let the anonymous role reach them. */
export const FUZZ_SCHEMA_SQL = `
  create table things (id int primary key, name text unique, data jsonb, tags text[], price numeric, during int4range, made timestamptz default now());
  create table rel (id int primary key, thing_id int references things(id), note text);
  create view thing_names as select id, name from things;
  insert into things values (1, 'a', '{"k": 1, "n": {"m": [1, 2]}}', '{x,y}', 1.5, '[1,5)'), (2, 'b b', '[1, "x"]', '{}', null, null);
  insert into rel values (1, 1, 'r1'), (2, 1, null);
  create function add(a int, b int) returns int language sql as $$ select a + b $$;
  create function echo(t text) returns text language sql as $$ select t $$;
  create function search(q text) returns setof things language sql stable as $$ select * from things where name like q $$;
  create function touch(id int) returns void language sql as $$ update things set price = price where id = touch.id $$;
  grant usage on schema public to anonymous;
  grant select, insert, update, delete on things, rel, thing_names to anonymous;
  grant execute on function add(int, int), echo(text), search(text), touch(int) to anonymous;`

/** Every feature on, so the fuzz reaches aggregates, EXPLAIN plans and the row cap too. */
export const FUZZ_SERVER_CONFIG = { aggregatesEnabled: true, planEnabled: true, maxRows: 50 } as const

export type FuzzRequest = Readonly<{
  method: 'GET' | 'HEAD' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'
  /** below `.../rest/v1`, query string included, as sent */
  path: string
  headers: Readonly<Record<string, string>>
  body: string | undefined
}>

/** Random text: grammar punctuation, SQL-ish words and any code point. */
const unit = fc.oneof(
  fc.constantFrom(...'"(),.:!\\{}[]-> *&=;%+_\'`'.split('')),
  fc.constantFrom('not.', 'eq.', 'in.(', 'is.', 'or(', 'and(', '->', '->>', '::', '...', '!inner', '%00', '%FF', '%', '--', '/*', 'null'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }),
)
export const noise = fc.array(unit, { maxLength: 10 }).map((parts) => parts.join(''))

/** Mostly `good`, sometimes random text in its place. */
function mostly<T extends string>(good: fc.Arbitrary<T>): fc.Arbitrary<string> {
  return fc.oneof({ weight: 12, arbitrary: good }, { weight: 1, arbitrary: noise })
}

const column = fc.constantFrom('id', 'id', 'name', 'name', 'data', 'tags', 'price', 'during', 'made', 'thing_id', 'note', 'nope', '"name"', '"we.ird"')
const jsonPath = fc
  .tuple(fc.constantFrom('data', 'data', 'data', 'name'), fc.array(fc.tuple(fc.constantFrom('->', '->>'), fc.constantFrom('k', 'n', 'm', '0', '1', '-1', '"x y"')), { minLength: 1, maxLength: 3 }))
  .map(([c, steps]) => c + steps.map(([arrow, key]) => arrow + key).join(''))
const cast = fc.constantFrom('', '', '', '', '', '', '', '', '::text', '::int', '::numeric', '::jsonb', '::"text"', '::double precision', '::nope', '::text::int')
const field = fc.tuple(fc.oneof(column, jsonPath), cast).map(([f, c]) => f + c)
const aggregate = fc.oneof(
  fc.constantFrom('count()', 'count()::int'),
  fc.tuple(column, fc.constantFrom('sum', 'avg', 'max', 'min', 'count'), cast).map(([c, f, k]) => `${c}.${f}()${k}`),
)
const alias = fc.constantFrom('', '', '', '', 'x:', 'total:', '"odd name":', 'id:')
const embedName = fc.constantFrom('rel', 'rel', 'things', 'things', 'thing_names', 'nope')
const hint = fc.constantFrom('', '', '', '', '!inner', '!left', '!rel_thing_id_fkey', '!thing_id', '!nope', '!inner!left')

/** select=...: fields, aggregates, embeds (with hints and spreads) nested up to `depth`. */
function selectList(depth: number): fc.Arbitrary<string> {
  const item: fc.Arbitrary<string> =
    depth <= 0
      ? fc.oneof({ weight: 2, arbitrary: fc.constant('*') }, { weight: 6, arbitrary: fc.tuple(alias, field).map(([a, f]) => a + f) }, { weight: 1, arbitrary: aggregate })
      : fc.oneof(
          { weight: 4, arbitrary: selectList(0) },
          {
            weight: 1,
            arbitrary: fc
              .tuple(fc.constantFrom('', '', '...'), alias, embedName, hint, selectList(depth - 1))
              .map(([spread, a, name, h, inner]) => `${spread}${spread ? '' : a}${name}${h}(${inner})`),
          },
        )
  return fc.array(item, { minLength: 1, maxLength: 4 }).map((items) => items.join(','))
}

const scalar = fc.constantFrom('1', '0', '-1', '2.5', 'a', 'b b', 'a*', '*a%', 'x', '', 'true', 'null', '1e400', '2026-01-01', 'NaN', 'Infinity', 'é', '{"k":1}')
const quoted = fc.constantFrom('"a,b"', '"with \\"quote\\""', '"(x)"', '""')
const list = fc.array(fc.oneof(scalar, quoted), { maxLength: 4 }).map((vs) => `(${vs.join(',')})`)
const arrayLiteral = fc.array(scalar, { maxLength: 3 }).map((vs) => `{${vs.join(',')}}`)
const range = fc.constantFrom('[1,5)', '(1,2]', 'empty', '[,)', '[2,1)', '1,2')
const value = fc.oneof({ weight: 4, arbitrary: scalar }, { weight: 1, arbitrary: quoted }, { weight: 1, arbitrary: arrayLiteral }, { weight: 1, arbitrary: range }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) })

const simpleOp = fc.constantFrom('eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch', 'cs', 'cd', 'ov', 'sl', 'sr', 'nxr', 'nxl', 'adj')
const quantOp = fc.tuple(fc.constantFrom('eq', 'gt', 'gte', 'lt', 'lte', 'like', 'ilike', 'match', 'imatch'), fc.constantFrom('(any)', '(all)')).map(([o, q]) => o + q)
const ftsOp = fc.tuple(fc.constantFrom('fts', 'plfts', 'phfts', 'wfts'), fc.constantFrom('', '(english)', '(simple)', '(nope)')).map(([o, l]) => o + l)
const isValue = fc.constantFrom('null', 'not_null', 'true', 'false', 'unknown', 'NULL', 'maybe')

/** The right side of a filter: `[not.]op.value`. */
const opExprOf = (value: fc.Arbitrary<string>) =>
  fc.tuple(
    fc.constantFrom('', '', 'not.'),
    fc.oneof(
      { weight: 4, arbitrary: fc.tuple(simpleOp, value).map(([o, v]) => `${o}.${v}`) },
      { weight: 2, arbitrary: fc.tuple(quantOp, fc.oneof(arrayLiteral, value)).map(([o, v]) => `${o}.${v}`) },
      { weight: 1, arbitrary: fc.tuple(ftsOp, value).map(([o, v]) => `${o}.${v}`) },
      { weight: 2, arbitrary: list.map((l) => `in.${l}`) },
      { weight: 1, arbitrary: isValue.map((v) => `is.${v}`) },
      { weight: 1, arbitrary: value.map((v) => `isdistinct.${v}`) },
    ),
  )
  .map(([not, op]) => not + op)
const opExpr = opExprOf(value)
/** Inside a tree a value ends at `,` or `)` unless double-quoted: quote those that have one. */
const treeValue = value.map((v) => (/[,()]/.test(v) && !v.startsWith('"') && !v.startsWith('{') ? `"${v.replaceAll('"', '\\"')}"` : v))

/** An or/and tree's inside: `field.opExpr` leaves and nested `[not.]and(...)`/`or(...)`. */
const { tree } = fc.letrec<{ tree: string; node: string }>((tie) => ({
  node: fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.oneof(column, jsonPath), opExprOf(treeValue)).map(([f, o]) => `${f}.${o}`) },
    { weight: 1, depthSize: 'small', arbitrary: fc.tuple(fc.constantFrom('', 'not.'), fc.constantFrom('and', 'or'), tie('tree')).map(([n, l, t]) => `${n}${l}${t}`) },
  ),
  tree: fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((nodes) => `(${nodes.join(',')})`),
}))

const orderTerm = fc
  .tuple(fc.oneof(column, jsonPath, fc.constantFrom('rel(id)', 'things(name)')), fc.constantFrom('', '.asc', '.desc', '.up'), fc.constantFrom('', '.nullsfirst', '.nullslast'))
  .map(([f, d, n]) => f + d + n)
const integer = fc.constantFrom('0', '1', '2', '10', '-1', '999999999999', '1.5', 'a', '')
const embedPrefix = fc.constantFrom('', '', '', '', '', '', 'rel.', 'things.', 'rel.things.')

/** One query parameter, `key=value`, not yet encoded. */
const param: fc.Arbitrary<[string, string]> = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(embedPrefix, selectList(2)).map(([p, s]): [string, string] => [p ? `${p}select` : 'select', s]) },
  { weight: 5, arbitrary: fc.tuple(embedPrefix, fc.oneof(column, jsonPath), mostly(opExpr)).map(([p, c, o]): [string, string] => [p + c, o]) },
  { weight: 2, arbitrary: fc.tuple(embedPrefix, fc.constantFrom('or', 'and', 'not.or', 'not.and'), mostly(tree)).map(([p, l, t]): [string, string] => [p + l, t]) },
  { weight: 2, arbitrary: fc.tuple(embedPrefix, fc.array(orderTerm, { minLength: 1, maxLength: 3 })).map(([p, t]): [string, string] => [`${p}order`, t.join(',')]) },
  { weight: 2, arbitrary: fc.tuple(embedPrefix, fc.constantFrom('limit', 'offset'), integer).map(([p, k, n]): [string, string] => [p + k, n]) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('on_conflict', 'columns'), fc.array(mostly(column), { minLength: 1, maxLength: 3 })).map(([k, cs]): [string, string] => [k, cs.join(',')]) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('a', 'b', 't', 'q', 'id'), value).map(([k, v]): [string, string] => [k, v]) },
  { weight: 1, arbitrary: fc.tuple(noise, noise).map(([k, v]): [string, string] => [k, v]) },
  { weight: 8, arbitrary: fc.tuple(fc.constantFrom('id', 'id', 'name', 'price', 'thing_id'), fc.constantFrom('eq.1', 'neq.2', 'gt.0', 'lt.a', 'in.(1,2)', 'is.null', 'not.is.null', 'like.a*', 'eq(any).{1,2}'), fc.constantFrom('', '', 'not.')).map(([c, o, n]): [string, string] => [c, n + o]) },
)

/** One code point as UTF-8 percent-escapes; a lone surrogate becomes the (invalid) bytes of one. */
function escape(c: string): string {
  try {
    return encodeURIComponent(c)
  } catch {
    return '%ED%A0%80'
  }
}

/** Percent-encodes what fetch would refuse; `raw` leaves `%` sequences and grammar punctuation alone to reach the decoder. */
function encode(s: string, raw: boolean): string {
  return s.replace(raw ? /[^\x21-\x7e]|[#&?]/gu : /[^A-Za-z0-9\-_.!~*'()]/gu, escape)
}

const query = fc
  .array(fc.tuple(param, fc.integer({ min: 0, max: 5 }).map((n) => n === 0)), { maxLength: 4 })
  .map((ps) => ps.map(([[k, v], raw]) => `${encode(k, raw)}=${encode(v, raw)}`).join('&'))

const resource = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('/things', '/things', '/rel', '/thing_names') },
  { weight: 4, arbitrary: fc.constantFrom('/rpc/add', '/rpc/echo', '/rpc/search', '/rpc/touch') },
  { weight: 1, arbitrary: fc.constantFrom('/nope', '/', '/rpc/nope', '/things/x', '/rpc/', '/rpc/add/x') },
)

const preferOne = fc.oneof(
  fc.constantFrom(
    'return=minimal',
    'return=representation',
    'return=headers-only',
    'count=exact',
    'count=planned',
    'count=estimated',
    'resolution=merge-duplicates',
    'resolution=ignore-duplicates',
    'missing=default',
    'handling=strict',
    'handling=lenient',
    'tx=commit',
    'tx=rollback',
    'params=single-object',
    'timezone=UTC',
    'timezone=Nope/Where',
    'max-affected=1',
    'max-affected=-1',
    'return=',
  ),
  noise,
)
const accept = mostly(
  fc.constantFrom(
    'application/json',
    'application/json',
    'application/json',
    '*/*',
    'text/csv',
    'text/plain',
    'application/vnd.pgrst.object+json',
    'application/vnd.pgrst.object+json;nulls=stripped',
    'application/vnd.pgrst.array+json;nulls=stripped',
    'application/vnd.pgrst.plan+json',
    'application/vnd.pgrst.plan+text; for="application/json"; options=analyze|verbose',
    'application/geo+json',
    'application/octet-stream',
    'application/openapi+json',
    'text/html, application/json;q=0.5',
  ),
)
const rangeHeader = mostly(fc.constantFrom('0-0', '0-9', '1-', '5-2', 'items=0-1', '-1', '0-999999999999'))
const contentType = mostly(
  fc.constantFrom('application/json', 'application/json', 'application/json', 'application/json; charset=utf-8', 'text/csv', 'application/x-www-form-urlencoded', 'text/plain', 'application/octet-stream', 'application/vnd.pgrst.object+json', ''),
)
const profile = mostly(fc.constantFrom('public', 'public', 'public', 'nope', 'pg_catalog', '"public"'))
const authorization = mostly(
  fc.constantFrom('Bearer ', 'Bearer x', 'Bearer a.b.c', 'Bearer eyJhbGciOiJub25lIn0.eyJyb2xlIjoicG9zdGdyZXMifQ.', 'Basic dXNlcjpwYXNz', 'bearer', 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.x'),
)

/** Header values as a client can send them (printable ASCII). */
const headerText = (a: fc.Arbitrary<string>) => a.map((v) => v.replace(/[^\x20-\x7e]/g, ''))

/** Present one time in `1 + absentWeight`: each header alone already decides many answers (401, 406). */
function sometimes(a: fc.Arbitrary<string>, absentWeight: number): fc.Arbitrary<string | undefined> {
  return fc.oneof({ weight: absentWeight, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: headerText(a) })
}

const headers = fc
  .record({
    Prefer: sometimes(fc.array(preferOne, { minLength: 1, maxLength: 3 }).map((ps) => ps.join(', ')), 1),
    Accept: sometimes(accept, 2),
    Range: sometimes(rangeHeader, 6),
    'Content-Type': sometimes(contentType, 2),
    'Content-Profile': sometimes(profile, 8),
    'Accept-Profile': sometimes(profile, 8),
    Authorization: sometimes(authorization, 8),
    'Range-Unit': sometimes(mostly(fc.constantFrom('items', 'bytes')), 10),
  })
  .map((h) => Object.fromEntries(Object.entries(h).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')))

const jsonValue = fc.oneof(fc.constantFrom(1, -1, 0, 2.5, 'a', '', null, true, [1, 2], { k: 1 }, '[1,5)', '{x}', 'é'), fc.string({ maxLength: 5 }))
const row = fc.dictionary(fc.oneof(column, fc.constantFrom('a', 'b', 't', 'q')), jsonValue, { maxKeys: 4 })
const body = fc.oneof(
  { weight: 3, arbitrary: row.map((r) => JSON.stringify(r)) },
  { weight: 2, arbitrary: fc.array(row, { maxLength: 3 }).map((rs) => JSON.stringify(rs)) },
  { weight: 1, arbitrary: fc.constantFrom('', '[]', '{}', 'null', '1', '"x"', 'id,name\n9,z', 'a=1&b=2', '[{"id":1},{"name":2}]', '{"id":') },
  { weight: 1, arbitrary: noise },
  { weight: 4, arbitrary: fc.tuple(fc.integer({ min: -2, max: 40 }), fc.constantFrom('a', 'b b', 'z', null)).map(([id, name]) => JSON.stringify({ id, name })) },
)

const tableMethod = fc.constantFrom<FuzzRequest['method']>('GET', 'GET', 'GET', 'HEAD', 'POST', 'POST', 'PATCH', 'PUT', 'DELETE')
const rpcMethod = fc.constantFrom<FuzzRequest['method']>('GET', 'GET', 'POST', 'POST', 'HEAD', 'PATCH')
const rpcArgs = fc
  .dictionary(fc.constantFrom('a', 'b', 't', 'q', 'id', 'nope'), jsonValue, { maxKeys: 3 })
  .map((args) => JSON.stringify(args))

export const fuzzRequest: fc.Arbitrary<FuzzRequest> = resource
  .chain((resource) => {
    const rpc = resource.startsWith('/rpc/')
    return fc.record({
      resource: fc.constant(resource),
      method: rpc ? rpcMethod : tableMethod,
      query,
      headers,
      body: rpc ? fc.oneof({ weight: 4, arbitrary: rpcArgs }, { weight: 1, arbitrary: body }) : body,
    })
  })
  .map(({ method, resource, query, headers, body }) => ({
    method,
    path: query === '' ? resource : `${resource}?${query}`,
    headers,
    body: method === 'GET' || method === 'HEAD' || method === 'DELETE' ? undefined : body,
  }))
