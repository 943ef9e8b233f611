/**
 * The ceiling: the very statements the server sends for one request, captured from the bench
 * cluster's statement log, turned into a pgbench script and replayed with `pgbench -M prepared`.
 *
 * A captured request is a list of executed statements with their parameter values. Consecutive
 * extended-protocol executes are one pipelined batch with a single Sync in the server (BatchQuery),
 * so they go inside `\startpipeline … \endpipeline`; a simple-protocol statement (COMMIT after a
 * checked batch) is its own round trip. Values that vary per request (the user in the claims, the
 * author id) become pgbench random variables; every other value is passed as a pgbench variable
 * (`-D`), so each statement keeps its parameters and is prepared exactly as the server prepares it.
 */
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import type pg from 'pg'
import { collect } from './processes.js'
import { percentile } from './stats.js'

export type CapturedStatement = Readonly<{
  protocol: 'extended' | 'simple'
  text: string
  params: readonly (string | null)[]
  /** the parameter types PostgreSQL infers for the text (PREPARE + pg_prepared_statements) */
  paramTypes: readonly string[]
}>

type LogEntry = { message?: string; detail?: string; application_name?: string; backend_type?: string; dbname?: string; pid?: number }

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

/** The statements of the log entries written after `offset` by other sessions than the bench's own. */
export function parseCapturedLog(text: string, ownApplicationName: string): { protocol: 'extended' | 'simple'; text: string; params: (string | null)[] }[] {
  const out: { protocol: 'extended' | 'simple'; text: string; params: (string | null)[] }[] = []
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
  const statements = parseCapturedLog(text, ownApplicationName)
  const typed: CapturedStatement[] = []
  for (const statement of statements) typed.push({ ...statement, paramTypes: await parameterTypes(admin, statement) })
  return typed
}

async function parameterTypes(admin: pg.Client, statement: { text: string; params: readonly unknown[] }): Promise<string[]> {
  if (statement.params.length === 0) return []
  await admin.query(`prepare bench_probe as ${statement.text}`)
  try {
    const { rows } = await admin.query<{ types: string[] }>(
      `select parameter_types::text[] as types from pg_prepared_statements where name = 'bench_probe'`,
    )
    return rows[0]?.types ?? []
  } finally {
    await admin.query('deallocate bench_probe')
  }
}

export type PgbenchScript = Readonly<{
  script: string
  /** `-D name=value` pairs: the values that are the same in every request */
  defines: Readonly<Record<string, string>>
}>

export type VaryingValues = Readonly<{
  /** the number in the user id of the captured request (`user-<n>`) */
  user: number
  /** the author id the captured request asked for */
  author: number
  users: number
  authorsPerUser: number
}>

/**
 * One parameter of a captured statement with its per-request parts marked: the user number after
 * `user-` (`u`) and the author id as a whole number token (`a`). Everything else is constant.
 */
export type ParameterTemplate =
  | Readonly<{ kind: 'null' }>
  | Readonly<{ kind: 'constant'; value: string }>
  | Readonly<{ kind: 'author' }>
  | Readonly<{ kind: 'concat'; parts: readonly ({ text: string } | 'u' | 'a')[]; type: string }>

export function parameterTemplate(value: string | null, type: string | undefined, vary: VaryingValues): ParameterTemplate {
  if (value === null) return { kind: 'null' }
  if (value === String(vary.author)) return { kind: 'author' }
  const re = new RegExp(`(?<u>(?<=user-)${vary.user}(?![0-9]))|(?<![0-9A-Za-z_.])${vary.author}(?![0-9A-Za-z_.])`, 'g')
  const parts: ({ text: string } | 'u' | 'a')[] = []
  let last = 0
  let m: RegExpExecArray | null
  while ((m = re.exec(value)) !== null) {
    if (m.index > last) parts.push({ text: value.slice(last, m.index) })
    parts.push(m.groups?.u !== undefined ? 'u' : 'a')
    last = m.index + m[0].length
  }
  if (parts.length === 0) return { kind: 'constant', value }
  if (last < value.length) parts.push({ text: value.slice(last) })
  return { kind: 'concat', parts, type: type ?? 'text' }
}

/** The value a template takes for user `u` asking for author `a`. */
export function evaluateTemplate(template: ParameterTemplate, u: number, a: number): string | null {
  switch (template.kind) {
    case 'null':
      return null
    case 'constant':
      return template.value
    case 'author':
      return String(a)
    case 'concat':
      return template.parts.map((p) => (p === 'u' ? String(u) : p === 'a' ? String(a) : p.text)).join('')
  }
}

/**
 * The pgbench expression of a template: `:a`, a `-D` variable, or a concatenation cast to the type
 * PostgreSQL inferred for the parameter.
 */
function pgbenchExpression(template: ParameterTemplate, define: (value: string) => string): string {
  switch (template.kind) {
    case 'null':
      return 'NULL'
    case 'constant':
      return define(template.value)
    case 'author':
      return ':a'
    case 'concat':
      return `(${template.parts.map((p) => (p === 'u' ? ':u::text' : p === 'a' ? ':a::text' : `${define(p.text)}::text`)).join(' || ')})::${template.type}`
  }
}

/** `$1`, `$2`… in the text replaced by their expressions (`$1` never matches the start of `$12`). */
function substitute(text: string, expressions: readonly string[]): string {
  return text.replace(/\$(\d+)(?![0-9])/g, (whole, n: string) => expressions[Number(n) - 1] ?? whole)
}

export function templatesOf(statement: CapturedStatement, vary: VaryingValues): ParameterTemplate[] {
  return statement.params.map((value, j) => parameterTemplate(value, statement.paramTypes[j], vary))
}

export function buildPgbenchScript(statements: readonly CapturedStatement[], vary: VaryingValues): PgbenchScript {
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
  const lines = [
    `\\set u random(1, ${vary.users})`,
    `\\set k random(0, ${vary.authorsPerUser - 1})`,
    `\\set a :u + ${vary.users} * :k`,
  ]
  let inPipeline = false
  statements.forEach((statement, i) => {
    const next = statements[i + 1]
    const batched = statement.protocol === 'extended'
    const batchStarts = batched && !inPipeline && next?.protocol === 'extended'
    if (batchStarts) {
      lines.push('\\startpipeline')
      inPipeline = true
    }
    const expressions = templatesOf(statement, vary).map((t) => pgbenchExpression(t, define))
    const text = substitute(statement.text, expressions).trim().replace(/;+$/, '')
    lines.push(`${text};`)
    if (inPipeline && next?.protocol !== 'extended') {
      lines.push('\\endpipeline')
      inPipeline = false
    }
  })
  return { script: `${lines.join('\n')}\n`, defines }
}

/**
 * Runs the captured statements with the values they take for another user and author, in a
 * transaction that is rolled back, and returns the `body` column of the statement that has one.
 * This is how the harness checks that the replay does the same work as the server for every
 * user, RLS included, and not only for the captured request. BEGIN/COMMIT/ROLLBACK of the capture are
 * left out: the check runs inside its own transaction.
 */
export async function replayOnce(
  client: pg.ClientBase,
  statements: readonly CapturedStatement[],
  vary: VaryingValues,
  u: number,
  a: number,
): Promise<string | undefined> {
  let body: string | undefined
  await client.query('BEGIN')
  try {
    for (const statement of statements) {
      if (/^\s*(BEGIN|START|COMMIT|END|ROLLBACK)\b/i.test(statement.text)) continue
      const values = templatesOf(statement, vary).map((t) => evaluateTemplate(t, u, a))
      const result = await client.query<Record<string, unknown>>(statement.text, values)
      const row = result.rows[0]
      if (row && 'body' in row) body = String(row.body)
    }
  } finally {
    await client.query('ROLLBACK')
  }
  return body
}

export type PgbenchOptions = Readonly<{
  binDir: string
  port: number
  database: string
  clients: number
  threads: number
  /** seconds; or transactions with `transactions` */
  durationSeconds?: number
  transactions?: number
  scriptPath: string
  defines: Readonly<Record<string, string>>
  /** folder for the per-transaction logs (latencies); removed after reading */
  logDir: string
  sampleRate?: number
}>

export type PgbenchResult = Readonly<{ tps: number; p50Ms: number; p99Ms: number; transactions: number; failed: number }>

export async function runPgbench(options: PgbenchOptions): Promise<PgbenchResult> {
  const prefix = join(options.logDir, `pgbench-${Date.now()}`)
  const args = [
    '-h',
    '127.0.0.1',
    '-p',
    String(options.port),
    '-U',
    'postgres',
    '-n',
    '-M',
    'prepared',
    '-c',
    String(options.clients),
    '-j',
    String(options.threads),
    ...(options.transactions !== undefined ? ['-t', String(options.transactions)] : ['-T', String(options.durationSeconds ?? 10)]),
    '-f',
    options.scriptPath,
    ...Object.entries(options.defines).flatMap(([k, v]) => ['-D', `${k}=${v}`]),
    '-l',
    `--sampling-rate=${options.sampleRate ?? 0.2}`,
    `--log-prefix=${prefix}`,
    options.database,
  ]
  const out = await collect(join(options.binDir, 'pgbench'), args, ((options.durationSeconds ?? 10) + 60) * 1000)
  const latencies = readLatencies(prefix)
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(out.stdout)
  const processed = /number of transactions actually processed: (\d+)/.exec(out.stdout)
  const failed = /number of failed transactions: (\d+)/.exec(out.stdout)
  if (out.code !== 0 || !tps) {
    throw new Error(`pgbench failed (exit ${String(out.code)}):\n${out.stdout}${out.stderr}`.slice(0, 4000))
  }
  return {
    tps: Number(tps[1]),
    p50Ms: percentile(latencies, 50) / 1000,
    p99Ms: percentile(latencies, 99) / 1000,
    transactions: Number(processed?.[1] ?? 0),
    failed: Number(failed?.[1] ?? 0),
  }
}

/** Latencies in µs from pgbench's per-transaction logs (`client tx latency script epoch µs`). */
function readLatencies(prefix: string): number[] {
  const dir = dirname(prefix)
  const base = basename(prefix)
  const latencies: number[] = []
  if (!existsSync(dir)) return latencies
  for (const file of readdirSync(dir)) {
    if (!file.startsWith(base)) continue
    const path = join(dir, file)
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const fields = line.split(' ')
      const latency = Number(fields[2])
      if (fields.length >= 6 && Number.isFinite(latency)) latencies.push(latency)
    }
    rmSync(path, { force: true })
  }
  return latencies.sort((a, b) => a - b)
}
