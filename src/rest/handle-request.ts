/**
 * The REST pipeline: authenticate → parse → plan → build SQL → execute → respond. The only function
 * that knows the order of the stages, and the only try/catch on the request path.
 */
import type { AuthResult, RequestAuthenticator } from '../auth/authenticate.js'
import type { AppConfig } from '../config/app-config.js'
import type { Database } from '../db/database.js'
import { errors } from '../errors/catalog.js'
import { toApiError } from '../errors/pg-error.js'
import { renderError } from '../errors/render-error.js'
import type { SchemaCacheStore } from '../schema-cache/schema-cache-store.js'
import type { SchemaCache } from '../schema-cache/types.js'
import { parseApiRequest, type RawRequest } from './api-request/parse-api-request.js'
import type { ApiRequest } from './api-request/api-request.js'
import { findTableOrThrow } from './plan/find-table.js'
import { explainRequest } from './plan/explain.js'
import { planAction } from './plan/plan-action.js'
import { execute, executeExplain } from './execute/execute.js'
import { buildExplainResponse } from './response/build-explain-response.js'
import { buildResponse } from './response/build-response.js'
import type { HttpResponse } from './response/http-response.js'
import { plannedCountStatement } from './sql/count-statement.js'
import { envStatement } from './sql/env-statement.js'
import { compile } from '../sql/fragment.js'
import { mainStatement } from './sql/main-statement.js'
import { explainStatement } from './sql/explain-statement.js'
import { ServerTiming } from './server-timing.js'
import { preRequestStatement } from './sql/pre-request-statement.js'
import type { ReadShapeCache } from './read-shape-cache.js'
import type { WriteShapeCache } from './write-shape-cache.js'
import { transactionSettings, type Setting } from './transaction-settings.js'

export type RestDeps = Readonly<{
  config: AppConfig
  db: Database
  schemaCache: SchemaCacheStore
  /** the current authenticator (swapped when the database's settings change) */
  authenticator: RequestAuthenticator
  onInternalError: (err: unknown) => void
  /** planned reads by shape; absent = every request is planned afresh */
  readShapes?: ReadShapeCache
  /** planned inserts and calls by shape, likewise */
  writeShapes?: WriteShapeCache
}>

export async function handleRestRequest(deps: RestDeps, raw: RawRequest): Promise<HttpResponse> {
  const response = await answer(deps, raw)
  // server-trace-header: the request's value echoed on every answer, errors included
  const trace = deps.config.serverTraceHeader
  const value = trace === undefined ? undefined : headerValue(raw.headers[trace.toLowerCase()])
  return value === undefined ? response : { ...response, headers: { ...response.headers, [trace!]: value } }
}

async function answer(deps: RestDeps, raw: RawRequest): Promise<HttpResponse> {
  let auth: AuthResult | undefined
  const timing = deps.config.serverTimingEnabled ? new ServerTiming() : undefined
  try {
    const isOptions = raw.method.toUpperCase() === 'OPTIONS'
    if (isOptions) deps.authenticator.checkEnabled()
    else auth = await deps.authenticator.authenticate(headerValue(raw.headers.authorization))
    timing?.mark('jwt')
    const cache = deps.schemaCache.current()
    if (!cache) throw errors.noSchemaCache()
    const parseOptions = {
      schemas: deps.config.schemas,
      allowTxOverride: deps.config.txEnd.endsWith('allow-override'),
      // with the OpenAPI document disabled, `/` answers PGRST126 whatever db-root-spec says
      ...(deps.config.rootSpec && deps.config.openApiMode !== 'disabled' ? { rootSpec: deps.config.rootSpec.name } : {}),
    }
    // Reads, inserts and calls of a shape seen before skip parse, plan and SQL building: only their values change.
    const planTemplate = (templateRaw: RawRequest) => {
      const t = parseApiRequest(templateRaw, parseOptions)
      if (explainRequest(t, deps.config.planEnabled)) return undefined
      const tPlan = planAction(t, cache, deps.config, { dbName: deps.db.name, role: auth!.role })
      // the planner's count is asked with the request's own values: not templatable
      if (plannedCountStatement(tPlan)) return undefined
      return { request: t, plan: tPlan, main: compile(mainStatement(tPlan)) }
    }
    const cached = isOptions
      ? undefined
      : raw.method === 'POST'
        ? deps.writeShapes?.lookup(raw, cache, planTemplate, auth?.role)
        : deps.readShapes?.lookup(raw, cache, planTemplate, auth?.role)
    const request = cached?.request ?? parseApiRequest(raw, parseOptions)
    timing?.mark('parse')
    if (request.method === 'OPTIONS') return optionsResponse(request, cache)
    // Accept: application/vnd.pgrst.plan plans the request for its `for` media type, then explains it
    const explained = cached ? undefined : explainRequest(request, deps.config.planEnabled)
    const plan = cached?.plan ?? planAction(explained?.request ?? request, cache, deps.config, { dbName: deps.db.name, ...(auth ? { role: auth.role } : {}) })
    const env = envStatement({
      schema: request.schema,
      extraSearchPath: deps.config.extraSearchPath,
      role: auth!.role,
      claims: auth!.claims,
      method: request.method,
      path: request.path,
      headers: request.headers,
      cookies: request.cookies,
      readOnly: plan.transaction.readOnly,
      settings: transactionSettings({
        plan,
        roleSettings: cache.roleSettings?.get(auth!.role),
        statementTimeoutMs: deps.config.statementTimeoutMs,
        appSettings: appSettingsOf(deps.config.appSettings),
      }),
    })
    const preRequest = preRequestStatement(deps.config.preRequest)
    const main = cached?.main ?? (explained ? explainStatement(compile(mainStatement(plan)), explained.explain) : compile(mainStatement(plan)))
    timing?.mark('plan')
    const plannedCount = explained ? undefined : plannedCountStatement(plan)
    const statements = { env, ...(preRequest ? { preRequest } : {}), main, ...(plannedCount ? { plannedCount } : {}) }
    const rows = explained ? await executeExplain(deps.db, plan, statements, auth!.role) : await execute(deps.db, plan, statements, auth!.role, raw.signal)
    timing?.mark('transaction')
    const response = explained ? buildExplainResponse(explained.explain, rows, request.method === 'HEAD') : buildResponse(request, plan, rows[0])
    if (!timing) return response
    timing.mark('response')
    return { ...response, headers: { ...response.headers, 'Server-Timing': timing.header() } }
  } catch (err) {
    return renderError(toApiError(err, auth !== undefined && !auth.isAnonymous, deps.onInternalError))
  }
}

// app.settings.* as set_config pairs, built once per configuration (the object is replaced on reload)
const appSettingPairs = new WeakMap<object, readonly Setting[]>()
function appSettingsOf(appSettings: Readonly<Record<string, string>>): readonly Setting[] {
  let pairs = appSettingPairs.get(appSettings)
  if (pairs === undefined) {
    pairs = Object.entries(appSettings).map(([name, value]) => [`app.settings.${name}`, value] as const)
    appSettingPairs.set(appSettings, pairs)
  }
  return pairs
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

function optionsResponse(request: ApiRequest, cache: SchemaCache): HttpResponse {
  let allow = 'OPTIONS,GET,HEAD'
  if (request.target.kind === 'relation') {
    const table = findTableOrThrow(cache, request.schema, request.target.name)
    if (table.insertable) allow += ',POST'
    if (table.insertable && table.updatable && table.primaryKey.length > 0) allow += ',PUT'
    if (table.updatable) allow += ',PATCH'
    if (table.deletable) allow += ',DELETE'
  } else if (request.target.kind === 'routine') {
    const routines = cache.routines.get(`${request.schema}.${request.target.name}`) ?? []
    allow = routines.some((r) => r.volatility === 'volatile') ? 'OPTIONS,POST' : 'OPTIONS,GET,HEAD,POST'
  }
  return { status: 200, headers: { Allow: allow, 'Access-Control-Allow-Origin': '*' }, body: Buffer.alloc(0) }
}
