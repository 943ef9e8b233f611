/**
 * The one SQL door: SQL as composable fragments. Text comes only from template strings in our own
 * source, names only through ident()/qi(), catalog type names through catalogType(), and every other
 * interpolated value becomes a bind parameter. compile() numbers the parameters once, at the end, so
 * fragments nest freely. Scripts that cannot take parameters (DDL, admin) quote with quoteIdent() and
 * quoteLiteral(). Used by the REST statement builders, the schema cache, admin and bootstrap alike.
 */

export type Sql = { readonly kind: 'sql'; readonly parts: readonly Part[] }
type Part =
  | { readonly t: 'text'; readonly v: string }
  | { readonly t: 'param'; readonly v: unknown }
  | Sql

export type CompiledSql = Readonly<{ text: string; values: readonly unknown[] }>

export type QualifiedIdentifier = Readonly<{ schema: string; name: string }>

/**
 * A validated cast target: ASCII words (letters, digits, `_`, not starting with a digit) separated
 * by single spaces, as in `character varying`. It is the only unquoted user input, so no `$` (a
 * `$1` or `$$` would be read as a parameter or a dollar quote) and nothing else outside a word.
 */
export type CastType = string & { readonly __brand: 'CastType' }

const CAST_TYPE = /^[A-Za-z_][A-Za-z0-9_]*(?: [A-Za-z_][A-Za-z0-9_]*)*$/

export function asCastType(type: string): CastType | undefined {
  const trimmed = type.trim()
  return trimmed.length <= 63 * 3 && CAST_TYPE.test(trimmed) ? (trimmed as CastType) : undefined
}

function isSql(value: unknown): value is Sql {
  return typeof value === 'object' && value !== null && (value as Sql).kind === 'sql'
}

/** Tagged template: literal text is ours; `${Sql}` nests; any other `${value}` becomes `$n`. */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  const parts: Part[] = []
  strings.forEach((text, i) => {
    if (text !== '') parts.push({ t: 'text', v: text })
    if (i < values.length) {
      const value = values[i]
      parts.push(isSql(value) ? value : { t: 'param', v: value })
    }
  })
  return { kind: 'sql', parts }
}

export const empty: Sql = { kind: 'sql', parts: [] }

/** Same rule as PostgREST's escapeIdent: cut at NUL, double the quotes, never split on '.'. */
export function quoteIdent(name: string): string {
  const nul = name.indexOf('\0')
  const cut = nul === -1 ? name : name.slice(0, nul)
  return `"${cut.replaceAll('"', '""')}"`
}

/**
 * A string literal for scripts that cannot bind parameters: dollar-quoted with a tag the text does
 * not contain, so no content can end it early.
 */
export function quoteLiteral(text: string): string {
  let tag = 'v'
  while (text.includes(`$${tag}$`)) tag += 'v'
  return `$${tag}$${text}$${tag}$`
}

/** A literal as a fragment (see quoteLiteral); for statements that must not vary by value. */
export function literal(text: string): Sql {
  return { kind: 'sql', parts: [{ t: 'text', v: quoteLiteral(text) }] }
}

/** Type names as format_type writes them: words, quoted identifiers, dots, typmods, array brackets. */
const CATALOG_TYPE = /^(?:"(?:[^"]|"")*"|[A-Za-z0-9_$ .,()[\]])+$/

/**
 * A type name read from the catalog (never from the request), e.g. `integer[]`,
 * `character varying`, `"my schema"."my type"`. Checked so that even a strange catalog name cannot
 * end a cast early.
 */
export function catalogType(type: string): Sql {
  if (!CATALOG_TYPE.test(type)) throw new Error(`unexpected type name from the catalog: ${type}`)
  return { kind: 'sql', parts: [{ t: 'text', v: type }] }
}

/** The only way a name enters SQL. */
export function ident(name: string): Sql {
  return { kind: 'sql', parts: [{ t: 'text', v: quoteIdent(name) }] }
}

/** "schema"."name" (schema omitted when empty). */
export function qi(id: QualifiedIdentifier): Sql {
  const text = id.schema === '' ? quoteIdent(id.name) : `${quoteIdent(id.schema)}.${quoteIdent(id.name)}`
  return { kind: 'sql', parts: [{ t: 'text', v: text }] }
}

/** A bind parameter with an explicit Postgres type, e.g. `$1::int`. The type must come from our code. */
export function param(value: unknown, type?: 'int' | 'text' | 'text[]' | 'json' | 'jsonb' | 'bigint'): Sql {
  const p: Sql = { kind: 'sql', parts: [{ t: 'param', v: value }] }
  return type ? { kind: 'sql', parts: [p, { t: 'text', v: `::${type}` }] } : p
}

/**
 * A non-negative whole number written into the text, for LIMIT and OFFSET: Postgres then settles on
 * a generic plan for the statement (a LIMIT parameter keeps it planning every execution). Only for
 * numbers the parser has already validated; anything else throws.
 */
export function integerLiteral(n: number): Sql {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`not a non-negative whole number: ${n}`)
  return { kind: 'sql', parts: [{ t: 'text', v: String(n) }] }
}

export function castTo(expr: Sql, type: CastType): Sql {
  return { kind: 'sql', parts: [{ t: 'text', v: 'CAST(' }, expr, { t: 'text', v: ` AS ${type})` }] }
}

export function join(items: readonly Sql[], separator: Sql = sql`, `): Sql {
  const parts: Part[] = []
  items.forEach((item, i) => {
    if (i > 0) parts.push(separator)
    parts.push(item)
  })
  return { kind: 'sql', parts }
}

export function compile(fragment: Sql): CompiledSql {
  let text = ''
  const values: unknown[] = []
  const walk = (node: Sql): void => {
    for (const part of node.parts) {
      if (isSql(part)) walk(part)
      else if (part.t === 'text') text += part.v
      else {
        values.push(part.v)
        text += `$${values.length}`
      }
    }
  }
  walk(fragment)
  return { text, values }
}
