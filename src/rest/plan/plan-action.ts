/**
 * Stage 2 (plan). Chooses the kind of plan a request needs: read, mutate or call. Pure.
 */
import type { AppConfig } from '../../config/app-config.js'
import { errors } from '../../errors/catalog.js'
import type { SchemaCache } from '../../schema-cache/types.js'
import type { ApiRequest } from '../api-request/api-request.js'
import { planCall } from './plan-call.js'
import { planMutate } from './plan-mutate.js'
import { planOpenApi } from './plan-openapi.js'
import { planRead } from './plan-read.js'
import type { ActionPlan } from './types.js'

/** What the plan may need from outside the request: the database name the API is served under. */
export type PlanContext = Readonly<{
  dbName?: string
  /** the request's role (column-level grants decide what `*` means) */
  role?: string
}>

export function planAction(request: ApiRequest, cache: SchemaCache, config: AppConfig, context: PlanContext = {}): ActionPlan {
  const options = { maxRows: config.maxRows, aggregatesEnabled: config.aggregatesEnabled, txEnd: config.txEnd, ...(context.role === undefined ? {} : { role: context.role }) }
  switch (request.target.kind) {
    case 'root':
      return planOpenApi(request, cache, config, context.dbName)
    case 'routine':
      return planCall(request, cache, options)
    case 'relation':
      if (request.method === 'GET' || request.method === 'HEAD') return planRead(request, cache, options)
      return planMutate(request, cache, config, context.role)
  }
}
