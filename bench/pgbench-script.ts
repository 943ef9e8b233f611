/**
 * pgbench scripts: the *pipelined* one replays the statements the server sent for one request (as
 * captured by statement-log.ts), the *bare* one runs the workload's shortest SQL (workloads.ts).
 *
 * A captured request is a list of executed statements with their parameter values. Consecutive
 * extended-protocol executes are one pipelined batch with a single Sync in the server (BatchQuery),
 * so they go inside `\startpipeline … \endpipeline`; a simple-protocol statement (COMMIT after a
 * checked batch) is its own round trip. Values that vary per request (the user in the claims, the
 * row id) become pgbench random variables `:u` and `:i` drawn as request-ids.ts says; every other
 * value is passed as a pgbench variable (`-D`), so each statement keeps its parameters and is
 * prepared exactly as the server prepares it.
 */
import type pg from 'pg'
import { pgbenchDraw, type IdSpace } from './request-ids.js'
import type { CapturedStatement } from './statement-log.js'
import type { IdKind } from './workloads.js'

export type PgbenchScript = Readonly<{
  script: string
  /** `-D name=value` pairs: the values that are the same in every request */
  defines: Readonly<Record<string, string>>
}>

/** The per-request values of the captured request, to be found among its parameters. */
export type VaryingValues = IdSpace &
  Readonly<{
    kind: IdKind
    /** the number in the user id of the captured request (`user-<n>`) */
    user: number
    /** the row id the captured request asked for (undefined for kind 'none') */
    id: number | undefined
  }>

/**
 * One parameter of a captured statement with its per-request parts marked: the user number after
 * `user-` (`u`) and the id as a whole number token (`i`). Everything else is constant.
 */
export type ParameterTemplate =
  | Readonly<{ kind: 'null' }>
  | Readonly<{ kind: 'constant'; value: string }>
  | Readonly<{ kind: 'id' }>
  | Readonly<{ kind: 'concat'; parts: readonly ({ text: string } | 'u' | 'i')[]; type: string }>

export function parameterTemplate(value: string | null, type: string | undefined, vary: VaryingValues): ParameterTemplate {
  if (value === null) return { kind: 'null' }
  if (vary.id !== undefined && value === String(vary.id)) return { kind: 'id' }
  const idPart = vary.id === undefined ? '' : `|(?<![0-9A-Za-z_.])${vary.id}(?![0-9A-Za-z_.])`
  const re = new RegExp(`(?<u>(?<=user-)${vary.user}(?![0-9]))${idPart}`, 'g')
  const parts: ({ text: string } | 'u' | 'i')[] = []
  let last = 0
  let m: RegExpExecArray | null
  while ((m = re.exec(value)) !== null) {
    if (m.index > last) parts.push({ text: value.slice(last, m.index) })
    parts.push(m.groups?.u !== undefined ? 'u' : 'i')
    last = m.index + m[0].length
  }
  if (parts.length === 0) return { kind: 'constant', value }
  if (last < value.length) parts.push({ text: value.slice(last) })
  return { kind: 'concat', parts, type: type ?? 'text' }
}

/** The value a template takes for user `u` asking for row `i`. */
export function evaluateTemplate(template: ParameterTemplate, u: number, i: number | undefined): string | null {
  switch (template.kind) {
    case 'null':
      return null
    case 'constant':
      return template.value
    case 'id':
      return String(i)
    case 'concat':
      return template.parts.map((p) => (p === 'u' ? String(u) : p === 'i' ? String(i) : p.text)).join('')
  }
}

/**
 * The pgbench expression of a template: `:i`, a `-D` variable, or a concatenation cast to the type
 * PostgreSQL inferred for the parameter.
 */
function pgbenchExpression(template: ParameterTemplate, define: (value: string) => string): string {
  switch (template.kind) {
    case 'null':
      return 'NULL'
    case 'constant':
      return define(template.value)
    case 'id':
      return ':i'
    case 'concat':
      return `(${template.parts.map((p) => (p === 'u' ? ':u::text' : p === 'i' ? ':i::text' : `${define(p.text)}::text`)).join(' || ')})::${template.type}`
  }
}

/** `$1`, `$2`… in the text replaced by their expressions (`$1` never matches the start of `$12`). */
function substitute(text: string, expressions: readonly string[]): string {
  return text.replace(/\$(\d+)(?![0-9])/g, (whole, n: string) => expressions[Number(n) - 1] ?? whole)
}

export function templatesOf(statement: CapturedStatement, vary: VaryingValues): ParameterTemplate[] {
  return statement.params.map((value, j) => parameterTemplate(value, statement.paramTypes[j], vary))
}

/** One statement as pgbench wants it, ending with a single `;`. */
function statementLine(text: string): string {
  return `${text.trim().replace(/;+$/, '')};`
}

export function buildPipelinedScript(statements: readonly CapturedStatement[], vary: VaryingValues): PgbenchScript {
  const defines: Record<string, string> = {}
  const byValue = new Map<string, string>()
  const define = (value: string): string => {
    let name = byValue.get(value)
    if (name === undefined) {
      name = `d${byValue.size + 1}`
      byValue.set(value, name)
      defines[name] = value
    }
    return `:${name}`
  }
  const lines = pgbenchDraw(vary.kind, vary)
  let inPipeline = false
  statements.forEach((statement, n) => {
    const next = statements[n + 1]
    const batched = statement.protocol === 'extended'
    if (batched && !inPipeline && next?.protocol === 'extended') {
      lines.push('\\startpipeline')
      inPipeline = true
    }
    const expressions = templatesOf(statement, vary).map((t) => pgbenchExpression(t, define))
    lines.push(statementLine(substitute(statement.text, expressions)))
    if (inPipeline && next?.protocol !== 'extended') {
      lines.push('\\endpipeline')
      inPipeline = false
    }
  })
  return { script: `${lines.join('\n')}\n`, defines }
}

/** The bare query of a workload (`:u`, `:i`) after the draws of its variables. */
export function buildBareScript(bareSql: string, kind: IdKind, space: IdSpace): PgbenchScript {
  return { script: `${[...pgbenchDraw(kind, space), statementLine(bareSql)].join('\n')}\n`, defines: {} }
}

/**
 * Runs the captured statements with the values they take for another user and row, in a
 * transaction that is rolled back, and returns the `body` column of the statement that has one.
 * This is how the harness checks that the replay does the same work as the server for every user,
 * RLS included, and not only for the captured request. BEGIN/COMMIT/ROLLBACK of the capture are left
 * out: the check runs inside its own transaction.
 */
export async function replayOnce(
  client: pg.ClientBase,
  statements: readonly CapturedStatement[],
  vary: VaryingValues,
  u: number,
  i: number | undefined,
): Promise<string | undefined> {
  let body: string | undefined
  await client.query('BEGIN')
  try {
    for (const statement of statements) {
      if (/^\s*(BEGIN|START|COMMIT|END|ROLLBACK)\b/i.test(statement.text)) continue
      const values = templatesOf(statement, vary).map((t) => evaluateTemplate(t, u, i))
      const result = await client.query<Record<string, unknown>>(statement.text, values)
      const row = result.rows[0]
      if (row && 'body' in row) body = String(row.body)
    }
  } finally {
    await client.query('ROLLBACK')
  }
  return body
}
