/**
 * Stage 5 (respond). Dispatches the main statement's row to the response builder of the plan's kind.
 */
import type { ResultRow } from '../../db/database.js'
import type { ApiRequest } from '../api-request/api-request.js'
import type { ActionPlan } from '../plan/types.js'
import { buildCallResponse } from './build-call-response.js'
import { buildMutateResponse } from './build-mutate-response.js'
import { buildOpenApiResponse } from './build-openapi-response.js'
import { buildReadResponse } from './build-read-response.js'
import type { HttpResponse } from './http-response.js'

export function buildResponse(request: ApiRequest, plan: ActionPlan, row: ResultRow | undefined): HttpResponse {
  switch (plan.kind) {
    case 'read':
      return buildReadResponse(request, plan, row)
    case 'mutate':
      return buildMutateResponse(request, plan, row)
    case 'call':
      return buildCallResponse(request, plan, row)
    case 'openapi':
      return buildOpenApiResponse(request, plan, row)
  }
}
