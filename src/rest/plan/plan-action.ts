/**
 * Stage 2 (plan). Chooses the kind of plan a request needs: read, mutate or call. Pure.
 */
import type { AppConfig } from '../../config/app-config.js'
import type { Batch } from '../../db/database.js'
import { errors } from '../../errors/catalog.js'
import type { SchemaCache } from '../../schema-cache/types.js'
import type { ApiRequest } from '../api-request/api-request.js'
import { checkMutation, needsCheck } from '../response/build-mutate-response.js'
import { callTransactionCheck } from '../response/build-call-response.js'
import { planCall } from './plan-call.js'
import { planMutate } from './plan-mutate.js'
import { planOpenApi } from './plan-openapi.js'
import { planRead } from './plan-read.js'
import type { ActionPlan } from './types.js'

/** What the plan may need from outside the request: the database name the API is served under. */
export type PlanContext = Readonly<{ dbName?: string }>

export function planAction(request: ApiRequest, cache: SchemaCache, config: AppConfig, context: PlanContext = {}): ActionPlan {
  const options = { maxRows: config.maxRows, aggregatesEnabled: config.aggregatesEnabled }
  switch (request.target.kind) {
    case 'root':
      return planOpenApi(request, cache, config, context.dbName)
    case 'routine':
      return planCall(request, cache, options)
    case 'relation':
      if (request.method === 'GET' || request.method === 'HEAD') return planRead(request, cache, options)
      return planMutate(request, cache, config)
  }
}

export function isReadOnly(plan: ActionPlan): boolean {
  switch (plan.kind) {
    case 'read':
      return true
    case 'mutate':
      return false
    case 'call':
      return plan.readOnly
    case 'openapi':
      return true
  }
}

/** Checks that must run before the transaction ends, so that failing them rolls it back. */
export function transactionCheck(plan: ActionPlan): Batch['check'] {
  switch (plan.kind) {
    case 'read':
      return undefined
    case 'mutate':
      return needsCheck(plan) ? (rows) => checkMutation(plan, rows[0]) : undefined
    case 'call':
      return callTransactionCheck(plan)
    case 'openapi':
      return undefined
  }
}
