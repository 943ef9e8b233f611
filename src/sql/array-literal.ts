/**
 * The text of a PostgreSQL array, as a bind parameter's value (never SQL text): what `in.(a,b)`
 * lists and repeated RPC arguments become.
 */

/** PostgREST's pgBuildArrayLiteral: every element double-quoted, `\` and `"` escaped, NULs dropped. */
export function pgArrayLiteral(values: readonly string[]): string {
  const items = values.map((v) => `"${v.replaceAll('\0', '').replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`)
  return `{${items.join(',')}}`
}
