/**
 * What the server sends for one request, read from the bench cluster's JSON statement log: each
 * `execute <name>: <sql>` with its `parameters: $1 = '…'`, or a simple-protocol `statement: <sql>`,
 * and the parameter types PostgreSQL infers for each text (so the pgbench replay can cast to them).
 */
import { readFileSync, statSync } from 'node:fs'
import type pg from 'pg'

export type CapturedStatement = Readonly<{
  protocol: 'extended' | 'simple'
  text: string
  params: readonly (string | null)[]
  /** the parameter types PostgreSQL infers for the text (PREPARE + pg_prepared_statements) */
  paramTypes: readonly string[]
}>

type LoggedStatement = { protocol: 'extended' | 'simple'; text: string; params: (string | null)[] }

type LogEntry = { message?: string; detail?: string; application_name?: string; backend_type?: string }

/** Parses `$1 = '…', $2 = NULL` (the DETAIL of a logged execute) into values. */
export function parseLoggedParameters(detail: string | undefined): (string | null)[] {
  if (detail === undefined || !detail.startsWith('parameters: ')) return []
  const values: (string | null)[] = []
  const re = /\$(\d+) = (NULL|'((?:[^']|'')*)')(?:, |$)/gy
  re.lastIndex = 'parameters: '.length
  let m: RegExpExecArray | null
  while ((m = re.exec(detail)) !== null) {
    values[Number(m[1]) - 1] = m[2] === 'NULL' ? null : (m[3] as string).replace(/''/g, "'")
  }
  return values
}

/** The statements in a stretch of JSON log written by client backends other than the bench's own. */
export function parseCapturedLog(text: string, ownApplicationName: string): LoggedStatement[] {
  const out: LoggedStatement[] = []
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    let entry: LogEntry
    try {
      entry = JSON.parse(line) as LogEntry
    } catch {
      continue
    }
    if (entry.application_name === ownApplicationName || entry.backend_type !== 'client backend') continue
    const message = entry.message ?? ''
    const execute = /^execute [^:]*: ([\s\S]*)$/.exec(message)
    if (execute) {
      out.push({ protocol: 'extended', text: execute[1] as string, params: parseLoggedParameters(entry.detail) })
      continue
    }
    const simple = /^statement: ([\s\S]*)$/.exec(message)
    if (simple) out.push({ protocol: 'simple', text: simple[1] as string, params: [] })
  }
  return out
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * Turns statement logging on, runs `send` (one request), waits for the log, turns logging off and
 * returns what the server executed for that request.
 */
export async function captureStatements(
  admin: pg.Client,
  logPath: () => string | undefined,
  ownApplicationName: string,
  send: () => Promise<void>,
): Promise<CapturedStatement[]> {
  await admin.query(`alter system set log_statement = 'all'`)
  await admin.query('select pg_reload_conf()')
  await sleep(300)
  const path = logPath()
  if (path === undefined) throw new Error('the bench cluster has no JSON log')
  const offset = statSync(path).size
  try {
    await send()
    let previous = -1
    // the logging collector writes asynchronously: wait until the file stops growing
    for (let i = 0; i < 20; i++) {
      await sleep(150)
      const size = statSync(path).size
      if (size > offset && size === previous) break
      previous = size
    }
  } finally {
    await admin.query('alter system reset log_statement')
    await admin.query('select pg_reload_conf()')
  }
  const text = readFileSync(path).subarray(offset).toString('utf8')
  const typed: CapturedStatement[] = []
  for (const statement of parseCapturedLog(text, ownApplicationName)) typed.push({ ...statement, paramTypes: await parameterTypes(admin, statement) })
  return typed
}

async function parameterTypes(admin: pg.Client, statement: LoggedStatement): Promise<string[]> {
  if (statement.params.length === 0) return []
  await admin.query(`prepare bench_probe as ${statement.text}`)
  try {
    const { rows } = await admin.query<{ types: string[] }>(`select parameter_types::text[] as types from pg_prepared_statements where name = 'bench_probe'`)
    return rows[0]?.types ?? []
  } finally {
    await admin.query('deallocate bench_probe')
  }
}
