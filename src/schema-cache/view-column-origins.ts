/**
 * Schema cache, pure helper. Reads which base column each column of a view comes from, out of the
 * view's stored rewrite rule (`pg_rewrite.ev_action::text`, a pg_node_tree). No I/O.
 *
 * The parser records `resorigtbl`/`resorigcol` on every output column of a query that is a plain
 * column reference (through sub-selects and CTEs too), so the top-level Query's target list says
 * where each view column originates. That is the only reliable source: pg_depend knows that a view
 * uses a column, not which view column it became. A view over a view points at the inner view;
 * load-schema-cache.ts follows such chains.
 *
 * pg_node_tree text is a Lisp-like dump (`({QUERY :commandType 1 ... :targetList ({TARGETENTRY ...})})`).
 * Rather than regex-rewriting it into JSON, this reads it with a small tokenizer that follows the
 * rules of PostgreSQL's read.c, so names containing spaces, parentheses or a leading `:` survive.
 */

/** Where one view column comes from; resorigtbl 0 (an expression, a UNION branch...) yields no entry. */
export type ColumnOrigin = Readonly<{ viewColumn: number; relation: number; column: number }>

type Atom = string
type NodeList = readonly NodeValue[]
type Node = Readonly<{ type: string; fields: ReadonlyMap<string, NodeValue> }>
type NodeValue = Atom | null | NodeList | Node

function isNode(v: NodeValue | undefined): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * Splits pg_node_tree text into tokens: `(`, `)`, `{`, `}` alone, anything else up to whitespace or
 * one of those; a backslash protects the next character (read.c pg_strtok).
 */
function tokenize(text: string): string[] {
  const tokens: string[] = []
  let i = 0
  const n = text.length
  while (i < n) {
    const ch = text[i]!
    if (ch === ' ' || ch === '\n' || ch === '\t' || ch === '\r') {
      i++
    } else if (ch === '(' || ch === ')' || ch === '{' || ch === '}') {
      tokens.push(ch)
      i++
    } else {
      const start = i
      while (i < n) {
        const c = text[i]!
        if (c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === '(' || c === ')' || c === '{' || c === '}') break
        i += c === '\\' && i + 1 < n ? 2 : 1
      }
      tokens.push(text.slice(start, i))
    }
  }
  return tokens
}

/** Reads one value (node, list, `<>` null or atom) from the tokens; throws on malformed input. */
function parseNodeTree(tokens: readonly string[]): NodeValue {
  let pos = 0
  const next = (): string => {
    const t = tokens[pos++]
    if (t === undefined) throw new Error('pg_node_tree: unexpected end of input')
    return t
  }
  const value = (): NodeValue => {
    const t = next()
    if (t === '{') return node()
    if (t === '(') return list()
    if (t === '<>') return null
    return t
  }
  const list = (): NodeList => {
    const items: NodeValue[] = []
    while (tokens[pos] !== ')') {
      if (tokens[pos] === undefined) throw new Error('pg_node_tree: unterminated list')
      items.push(value())
    }
    pos++
    return items
  }
  const node = (): Node => {
    const type = next()
    const fields = new Map<string, NodeValue>()
    for (;;) {
      const t = tokens[pos]
      if (t === undefined) throw new Error('pg_node_tree: unterminated node')
      if (t === '}') {
        pos++
        return { type, fields }
      }
      if (!t.startsWith(':')) {
        // Not a label where one was expected: a format this reader does not know; skip it.
        value()
        continue
      }
      // A label is followed by exactly one value, so a value that itself starts with `:` (a column
      // named ":x" prints as `:resname :x`) is read as the value, not as the next label.
      pos++
      const v = value()
      fields.set(t.slice(1), v)
      // Datums print as `<length> [ b0 b1 ... ]`: skip the bracketed bytes.
      if (typeof v === 'string' && tokens[pos] === '[') {
        while (next() !== ']') {
          /* datum byte */
        }
      }
    }
  }
  return value()
}

function toInt(v: NodeValue | undefined): number | null {
  if (typeof v !== 'string' || !/^-?\d+$/.test(v)) return null
  return Number(v)
}

/**
 * The origins of a view's columns from its `_RETURN` rule's ev_action text. Columns that are not a
 * plain reference to a relation column are absent. Unparsable input yields [] (the view then just
 * inherits no keys), since a failed heuristic must not fail the whole schema cache load.
 */
export function viewColumnOrigins(evAction: string): ColumnOrigin[] {
  let root: NodeValue
  try {
    root = parseNodeTree(tokenize(evAction))
  } catch {
    return []
  }
  const query = Array.isArray(root) ? root[0] : root
  if (!isNode(query) || query.type !== 'QUERY') return []
  const targetList = query.fields.get('targetList')
  if (!Array.isArray(targetList)) return []
  const origins: ColumnOrigin[] = []
  for (const entry of targetList as NodeList) {
    if (!isNode(entry) || entry.type !== 'TARGETENTRY') continue
    if (entry.fields.get('resjunk') === 'true') continue
    const viewColumn = toInt(entry.fields.get('resno'))
    const relation = toInt(entry.fields.get('resorigtbl'))
    const column = toInt(entry.fields.get('resorigcol'))
    if (viewColumn === null || relation === null || column === null || relation === 0 || column <= 0) continue
    origins.push({ viewColumn, relation, column })
  }
  return origins
}
