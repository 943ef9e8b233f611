/**
 * The lexical layer shared by every query-parameter grammar (select, filters, logic trees, order,
 * columns): a cursor over one parameter value, field names, JSON paths and tree paths.
 *
 * Grammar functions throw `SyntaxFailure` (a position and a Parsec-like expectation text);
 * `runParser` turns the failure into PostgREST's PGRST100 `"failed to parse <what> (<input>)"`
 * error. Keeping the position until the boundary lets a grammar backtrack and report the
 * alternative that got furthest, as Parsec does.
 */
import type { ApiError } from '../../errors/api-error.js'
import { errors } from '../../errors/catalog.js'
import type { Field, JsonPathStep } from './types.js'

/** Select embeds and logic trees deeper than this are refused before recursing (no stack overflow). */
export const MAX_NESTING_DEPTH = 100

export class SyntaxFailure extends Error {
  constructor(
    readonly pos: number,
    readonly details: string,
    /** what would have been accepted here, when known (lets failures at one position merge) */
    readonly expected: readonly string[] = [],
    readonly unexpected = '',
  ) {
    super(details)
  }
}

/**
 * Of two failed alternatives, the one that got further into the input; at the same position their
 * expectations merge, as Parsec reports them.
 */
export function furthest(a: SyntaxFailure, b: SyntaxFailure | undefined): SyntaxFailure {
  if (b === undefined || b.pos < a.pos) return a
  if (b.pos > a.pos) return b
  if (a.expected.length === 0 || b.expected.length === 0) return a
  const expected = [...new Set([...b.expected, ...a.expected])]
  return new SyntaxFailure(a.pos, `${a.unexpected} expecting ${orList(expected)}`, expected, a.unexpected)
}

export class Cursor {
  pos = 0
  /**
   * A quoted value that ran to the end of the input unterminated from here makes every later
   * attempt unterminated too; remembering it keeps quote-then-fallback parsing linear.
   */
  unterminatedQuoteFrom = Infinity

  constructor(readonly input: string) {}

  get atEnd(): boolean {
    return this.pos >= this.input.length
  }

  peek(offset = 0): string | undefined {
    return this.input[this.pos + offset]
  }

  startsWith(text: string): boolean {
    return this.input.startsWith(text, this.pos)
  }

  eat(text: string): boolean {
    if (!this.startsWith(text)) return false
    this.pos += text.length
    return true
  }

  expect(text: string, expected: readonly string[] = [show(text)]): void {
    if (!this.eat(text)) this.fail(expected)
  }

  /** Consumes the longest match of a sticky regex at the cursor ('' when none). */
  take(sticky: RegExp): string {
    sticky.lastIndex = this.pos
    const match = sticky.exec(this.input)
    if (match === null) return ''
    this.pos += match[0].length
    return match[0]
  }

  /** PostgREST's `ws`: spaces and tabs only. */
  skipWs(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++
  }

  /** Everything from the cursor to the end, verbatim. */
  rest(): string {
    const value = this.input.slice(this.pos)
    this.pos = this.input.length
    return value
  }

  fail(expected: readonly string[], at = this.pos): never {
    const unexpected = this.unexpected(at)
    throw new SyntaxFailure(at, `${unexpected} expecting ${orList(expected)}`, expected, unexpected)
  }

  failWith(details: string, at = this.pos): never {
    throw new SyntaxFailure(at, details)
  }

  private unexpected(at: number): string {
    const ch = this.input.codePointAt(at)
    return ch === undefined ? 'unexpected end of input' : `unexpected ${show(String.fromCodePoint(ch))}`
  }
}

/**
 * Runs one grammar over a whole parameter value and maps a failure to PGRST100. `columnOffset`
 * accounts for text PostgREST parses in front of the value (logic trees parse `or(...)`).
 */
export function runParser<T>(what: string, input: string, parse: (c: Cursor) => T, columnOffset = 0): T {
  const cursor = new Cursor(input)
  try {
    return parse(cursor)
  } catch (err) {
    if (err instanceof SyntaxFailure) throw parseError(what, input, err, columnOffset)
    throw err
  }
}

export function parseError(what: string, input: string, failure: SyntaxFailure, columnOffset = 0): ApiError {
  return errors.parse(what, input, codePointColumn(input, failure.pos) + columnOffset, failure.details)
}

/** Parsec counts characters (code points), 1-based. */
function codePointColumn(input: string, pos: number): number {
  let column = 1
  for (let i = 0; i < pos && i < input.length; i++) {
    const unit = input.charCodeAt(i)
    // the high half of a surrogate pair starts a character, the low half does not
    if (unit < 0xdc00 || unit > 0xdfff) column++
  }
  return column
}

export function show(text: string): string {
  return JSON.stringify(text)
}

function orList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? ''
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`
}

// ---------------------------------------------------------------------------------------------
// names

/** pIdentifier: letters (any script), ASCII digits, `_`, `$` and spaces; trimmed afterwards. */
const IDENTIFIER = /[\p{L}0-9_ $]+/uy
/** JSON keys may hold anything but the characters that end them. */
const JSON_KEY = /[^(\-:.,>)]+/uy
const NAME_EXPECTED = 'field name (* or [a..z0..9_$])'
const JSON_KEY_EXPECTED = 'any non reserved character different from: .,>()'

/** pFieldName: a quoted name or identifiers joined by `-` (a `-` followed by `>` is an arrow). */
export function parseName(c: Cursor): string {
  if (c.peek() === '"') return parseQuoted(c)
  return parseDashed(c, IDENTIFIER, NAME_EXPECTED)
}

/** Like parseName, but also reports whether the name was quoted (quoted `"inner"` is a hint). */
export function parseNameQuoted(c: Cursor): { name: string; quoted: boolean } {
  const quoted = c.peek() === '"'
  return { name: parseName(c), quoted }
}

function parseDashed(c: Cursor, part: RegExp, expected: string): string {
  const parts = [parsePart(c, part, expected)]
  while (c.peek() === '-' && c.peek(1) !== '>') {
    c.pos++
    parts.push(parsePart(c, part, expected))
  }
  return parts.join('-')
}

function parsePart(c: Cursor, part: RegExp, expected: string): string {
  const start = c.pos
  // PostgREST strips surrounding whitespace; a name of spaces only would be "" and is refused
  const text = c.take(part).trim()
  if (text === '') c.fail([expected], start)
  return text
}

/** `"..."` with `\x` ⇒ `x`. An unterminated quote is a failure. */
export function parseQuoted(c: Cursor): string {
  const value = tryQuoted(c)
  if (value === undefined) c.fail([show('"')], c.input.length)
  return value
}

/**
 * Scans a quoted value at the cursor; on an unterminated quote restores the cursor and returns
 * undefined so the caller can fall back to an unquoted reading (PostgREST's `try`).
 */
export function tryQuoted(c: Cursor): string | undefined {
  const start = c.pos
  if (c.peek() !== '"' || start > c.unterminatedQuoteFrom) return undefined
  const chunks: string[] = []
  let i = start + 1
  let chunkStart = i
  const input = c.input
  while (i < input.length) {
    const ch = input[i]
    if (ch === '"') {
      chunks.push(input.slice(chunkStart, i))
      c.pos = i + 1
      return chunks.join('')
    }
    if (ch === '\\') {
      chunks.push(input.slice(chunkStart, i))
      if (i + 1 >= input.length) break
      chunkStart = i + 1 // the escaped character is kept literally
      i += 2
      continue
    }
    i++
  }
  c.unterminatedQuoteFrom = Math.min(c.unterminatedQuoteFrom, start)
  return undefined
}

/** Cast types and FTS languages: letters, digits, `_` and spaces (`character varying`); no `$`, no `[]`. */
const TYPE_NAME = /[\p{L}0-9_ ]+/uy

/** `::type`; the plan checks its words (fragment.ts asCastType) before it reaches SQL. */
export function parseCast(c: Cursor): string {
  return parsePart(c, TYPE_NAME, 'letter or digit')
}

/** An identifier (FTS language): same characters as a cast type. */
export const parseIdentifier = parseCast

// ---------------------------------------------------------------------------------------------
// JSON paths and fields

const INDEX = /-?[0-9]+/y

/** pJsonPath: `(->|->>)(index|key)*`. */
export function parseJsonPath(c: Cursor): JsonPathStep[] {
  const steps: JsonPathStep[] = []
  for (;;) {
    const arrow = c.eat('->>') ? '->>' : c.eat('->') ? '->' : undefined
    if (arrow === undefined) return steps
    steps.push({ arrow, key: parseJsonOperand(c) })
  }
}

function parseJsonOperand(c: Cursor): string | number {
  const start = c.pos
  const digits = c.take(INDEX)
  if (digits !== '') {
    if (atJsonOperandEnd(c)) return Number(digits) || 0
    // `->1a` is the key "1a", but a key cannot start with `-`: `->-1a` is malformed
    if (digits.startsWith('-')) c.fail(['digit', show('->'), show('::'), show('.'), show(','), 'end of input'])
    c.pos = start
  }
  if (c.peek() === '"') return parseQuoted(c)
  if (c.peek() === '-') c.fail(['digit'], start + 1)
  return parseDashed(c, JSON_KEY, JSON_KEY_EXPECTED)
}

/**
 * What may follow an array index. PostgREST omits `)`, which turns `rel(data->0)` into the key "0";
 * we accept `)` so indexes inside embeds and related orders mean indexes.
 */
function atJsonOperandEnd(c: Cursor): boolean {
  return c.atEnd || c.startsWith('->') || c.startsWith('::') || ['.', ',', ')'].includes(c.peek() ?? '')
}

/** pField: a name and its JSON path, surrounded by optional whitespace. */
export function parseField(c: Cursor): Field {
  c.skipWs()
  const name = parseName(c)
  const jsonPath = parseJsonPath(c)
  c.skipWs()
  return { name, jsonPath }
}

/** pTreePath: `embed.path.field->json`, the key of a filter, order, limit or offset parameter. */
export function parseTreePath(key: string): { path: string[]; field: Field } {
  return runParser('tree path', key, (c) => {
    const names = [parseName(c)]
    while (c.eat('.')) names.push(parseName(c))
    const jsonPath = parseJsonPath(c)
    // PostgREST ignores trailing text here; we refuse it, so `col::text=eq.1` is an error
    if (!c.atEnd) c.fail([show('.'), show('->'), 'end of input'])
    const name = names.pop() ?? ''
    return { path: names, field: { name, jsonPath } }
  })
}

/** pColumns: `a, "b,c", d` for `columns` and `on_conflict`. */
export function parseNameList(what: string, input: string): string[] {
  return runParser(what, input, (c) => {
    const names: string[] = []
    do {
      c.skipWs()
      names.push(parseName(c))
      c.skipWs()
    } while (c.eat(','))
    if (!c.atEnd) c.fail([show(','), 'end of input'])
    return names
  })
}

/** Drops the properties whose value is undefined, so results compare and print cleanly. */
export function withDefined<T extends object>(value: T): T {
  const copy: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value)) if (v !== undefined) copy[key] = v
  return copy as T
}
