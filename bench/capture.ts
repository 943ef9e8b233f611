/**
 * Before the rounds, per workload: send one request to each HTTP server and check the answer; capture
 * the statements the data-api sends for it and turn them into the pipelined pgbench script; check
 * that the replay answers like the server for another user and row (RLS and ids carried by the
 * variables); build the bare script and check it returns as many rows as the API answers with. A
 * target that fails a check is reported as failed for that workload and not measured.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type pg from 'pg'
import { TRUNCATE_NOTES } from './fixture.js'
import { runPgbench } from './pgbench.js'
import { buildBareScript, buildPipelinedScript, replayOnce, type PgbenchScript, type VaryingValues } from './pgbench-script.js'
import { idFor, type IdSpace } from './request-ids.js'
import type { HttpServer } from './servers.js'
import { captureStatements } from './statement-log.js'
import { checkAnswer, fill, namesId, type Workload } from './workloads.js'

export type Target = 'server' | 'hand-written' | 'pgbench-pipelined' | 'pgbench-bare' | 'embedded'
export const TARGETS: readonly Target[] = ['pgbench-bare', 'pgbench-pipelined', 'server', 'hand-written', 'embedded']
export type HttpTarget = 'server' | 'hand-written' | 'embedded'
export type PgbenchTarget = 'pgbench-pipelined' | 'pgbench-bare'

export function isHttpTarget(target: Target): target is HttpTarget {
  return target === 'server' || target === 'hand-written' || target === 'embedded'
}

export type PreparedWorkload = Readonly<{
  workload: Workload
  /** 'ok', or why the target is not measured */
  status: Record<Target, string>
  scripts: Partial<Record<PgbenchTarget, PgbenchScript & Readonly<{ path: string }>>>
}>

export type CaptureContext = Readonly<{
  admin: pg.Client
  jsonLogPath: () => string | undefined
  ownApplicationName: string
  basePath: string
  tokens: readonly string[]
  space: IdSpace
  servers: Partial<Record<HttpTarget, HttpServer>>
  pgbench: Readonly<{ binDir: string; port: number; database: string }>
  workDir: string
}>

/** The request the checks and the capture send: user 23's 8th author (and that author's 42nd book). */
function sample(ctx: CaptureContext, w: Workload, other = false): { user: number; id: number | undefined } {
  const { users, authorsPerUser } = ctx.space
  const user = other ? (Math.min(23, users) % users) + 1 : Math.min(23, users)
  return { user, id: idFor(w.id, user, Math.min(other ? 3 : 7, authorsPerUser - 1), other ? 17 : 42, ctx.space) }
}

export function sampleRequest(ctx: CaptureContext, origin: string, w: Workload, user: number, id: number | undefined): Promise<Response> {
  return fetch(`${origin}${ctx.basePath}${fill(w.path, id ?? 0)}`, {
    method: w.method,
    headers: { ...w.headers, Authorization: `Bearer ${ctx.tokens[user - 1] as string}` },
    ...(w.body === undefined ? {} : { body: fill(w.body, id ?? 0) }),
    signal: AbortSignal.timeout(30_000),
  })
}

async function checkServer(ctx: CaptureContext, target: HttpTarget, w: Workload): Promise<string> {
  const server = ctx.servers[target]
  if (!server) return 'not started'
  try {
    const { user, id } = sample(ctx, w)
    const res = await sampleRequest(ctx, server.origin, w, user, id)
    return checkAnswer(w, res.status, await res.text()) ?? 'ok'
  } catch (err) {
    return `request failed: ${message(err)}`
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message.split('\n').slice(0, 6).join(' | ') : String(err)
}

/** Waits (bounded) until the server answers the workload correctly: its schema cache may still be reloading. */
export async function waitForAnswer(ctx: CaptureContext, target: HttpTarget, w: Workload): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if ((await checkServer(ctx, target, w)) === 'ok') return
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

async function tryScript(ctx: CaptureContext, w: Workload, name: PgbenchTarget, script: PgbenchScript): Promise<PgbenchScript & { path: string }> {
  const path = join(ctx.workDir, `${w.name}.${name}.pgbench`)
  writeFileSync(path, script.script)
  if (w.writes) await ctx.admin.query(TRUNCATE_NOTES)
  await runPgbench({ ...ctx.pgbench, clients: 1, threads: 1, transactions: 5, scriptPath: path, defines: script.defines, logDir: ctx.workDir, sampleRate: 1 })
  return { ...script, path }
}

async function pipelined(ctx: CaptureContext, w: Workload): Promise<PgbenchScript> {
  const server = ctx.servers.server as HttpServer
  const { user, id } = sample(ctx, w)
  const statements = await captureStatements(ctx.admin, ctx.jsonLogPath, ctx.ownApplicationName, async () => {
    await (await sampleRequest(ctx, server.origin, w, user, id)).text()
  })
  if (statements.length === 0) throw new Error('no statements in the log')
  const vary: VaryingValues = { ...ctx.space, kind: w.id, user, id }
  const other = sample(ctx, w, true)
  const body = await replayOnce(ctx.admin, statements, vary, other.user, other.id)
  const problem =
    body === undefined
      ? 'no body column'
      : (w.checkBody(body) ?? (namesId(w) && !body.includes(String(other.id)) ? `id ${other.id} not in ${body.slice(0, 200)}` : undefined))
  if (problem) throw new Error(`the replay for user-${other.user} does not answer like the server: ${problem}`)
  return buildPipelinedScript(statements, vary)
}

async function bare(ctx: CaptureContext, w: Workload): Promise<PgbenchScript> {
  const { user, id } = sample(ctx, w, true)
  // numbers only, so putting them into the text is safe
  const text = w.bareSql.replace(/:u\b/g, String(user)).replace(/:i\b/g, String(id ?? 0))
  await ctx.admin.query('BEGIN')
  try {
    const { rowCount } = await ctx.admin.query(text)
    if (rowCount !== w.bareRows) throw new Error(`the bare query returned ${String(rowCount)} rows, not ${w.bareRows}: ${text}`)
  } finally {
    await ctx.admin.query('ROLLBACK')
  }
  return buildBareScript(w.bareSql, w.id, ctx.space)
}

export async function prepareWorkload(ctx: CaptureContext, w: Workload): Promise<PreparedWorkload> {
  const status: Record<Target, string> = {
    server: await checkServer(ctx, 'server', w),
    'hand-written': await checkServer(ctx, 'hand-written', w),
    embedded: await checkServer(ctx, 'embedded', w),
    'pgbench-pipelined': 'no SQL captured (the server failed)',
    'pgbench-bare': 'not tried',
  }
  const scripts: PreparedWorkload['scripts'] = {}
  if (status.server === 'ok') {
    try {
      scripts['pgbench-pipelined'] = await tryScript(ctx, w, 'pgbench-pipelined', await pipelined(ctx, w))
      status['pgbench-pipelined'] = 'ok'
    } catch (err) {
      status['pgbench-pipelined'] = `failed: ${message(err)}`
    }
  }
  try {
    scripts['pgbench-bare'] = await tryScript(ctx, w, 'pgbench-bare', await bare(ctx, w))
    status['pgbench-bare'] = 'ok'
  } catch (err) {
    status['pgbench-bare'] = `failed: ${message(err)}`
  }
  return { workload: w, status, scripts }
}
