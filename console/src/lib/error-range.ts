/**
 * Where a SQL error points: PostgreSQL gives a 1-based character position in the text it was sent;
 * the editor marks from there to the end of the word (or just that character).
 */
export type TextRange = Readonly<{ from: number; to: number }>

/**
 * The range to mark in the editor's document, for an error at `position` in the text that was sent,
 * which began at `offset` of the document (a run of the selection only). Undefined without a position.
 */
export function errorRange(sent: string, position: number | null, offset = 0): TextRange | undefined {
  if (position === null || !Number.isInteger(position) || position < 1) return undefined
  // PostgreSQL counts characters, JavaScript UTF-16 code units: walk code points
  const chars = Array.from(sent)
  const index = Math.min(position - 1, Math.max(chars.length - 1, 0))
  const from = chars.slice(0, index).join('').length
  let end = index
  if (/[\p{L}\p{N}_$"]/u.test(chars[index] ?? '')) {
    while (end + 1 < chars.length && /[\p{L}\p{N}_$]/u.test(chars[end + 1]!)) end++
  }
  const to = chars.slice(0, end + 1).join('').length
  return { from: offset + from, to: offset + Math.max(to, from) }
}

/** 1-based line and column of an offset, for the message under the editor. */
export function lineAndColumn(doc: string, offset: number): Readonly<{ line: number; column: number }> {
  const before = doc.slice(0, offset)
  const lines = before.split('\n')
  return { line: lines.length, column: Array.from(lines[lines.length - 1] ?? '').length + 1 }
}
