/**
 * The `order` grammar (PostgREST's pOrder, postgrest-spec.md §4.1):
 *
 *   order := term ("," term)*
 *   term  := (name "(" field ")" | field) [".asc" | ".desc"] [".nullsfirst" | ".nullslast"]
 *
 * where `field` is a name with an optional JSON path and `name(field)` is a related (to-one) order.
 */
import { type Cursor, parseField, parseJsonPath, parseName, runParser, show, withDefined } from './query-params-syntax.js'
import type { Field, OrderTerm } from './types.js'

export function parseOrder(input: string): OrderTerm[] {
  return runParser('order', input, (c) => {
    const terms = [parseTerm(c)]
    while (c.eat(',')) terms.push(parseTerm(c))
    return terms
  })
}

function parseTerm(c: Cursor): OrderTerm {
  c.skipWs()
  const name = parseName(c)
  let relation: string | undefined
  let field: Field
  if (c.eat('(')) {
    relation = name
    field = parseField(c)
    c.expect(')', [show('->'), show(')')])
  } else {
    field = { name, jsonPath: parseJsonPath(c) }
  }
  c.skipWs()
  const direction = c.eat('.asc') ? 'asc' : c.eat('.desc') ? 'desc' : undefined
  const nulls = c.eat('.nullsfirst') ? 'first' : c.eat('.nullslast') ? 'last' : undefined
  c.skipWs()
  if (!c.atEnd && c.peek() !== ',') failAfterTerm(c, direction !== undefined, nulls !== undefined)
  return withDefined({ field, relation, direction, nulls })
}

/** Points at what follows a misspelt `.asc`/`.nulls…` (`id.ac` fails at column 4, like PostgREST). */
function failAfterTerm(c: Cursor, hasDirection: boolean, hasNulls: boolean): never {
  if (c.peek() === '.' && !hasNulls) {
    const words = hasDirection ? ['"nullsfirst"', '"nullslast"'] : ['"asc"', '"desc"', '"nullsfirst"', '"nullslast"']
    c.fail(words, c.pos + 1)
  }
  return c.fail(hasNulls ? [show(','), 'end of input'] : ['delimiter (.)', show(','), 'end of input'])
}
