/**
 * Stage 5 (respond). The OpenAPI document: the schema cache, the role's privileges as the database
 * reported them (follow-privileges) and where the client reached us. Pure.
 */
import { createRequire } from 'node:module'
import type { ResultRow } from '../../db/database.js'
import type { ApiRequest } from '../api-request/api-request.js'
import { contentTypeOf } from '../api-request/media-type.js'
import { openApiDocument, type Privileges } from '../openapi/openapi-document.js'
import type { OpenApiPlan } from '../plan/types.js'
import { gucHeaders, gucStatus, mergeHeaders } from './guc-overrides.js'
import type { HttpResponse } from './http-response.js'

const VERSION = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version

type Reported = { description: string | null; tables: Privileges['tables']; functions: string[] }

export function buildOpenApiResponse(request: ApiRequest, plan: OpenApiPlan, row: ResultRow | undefined): HttpResponse {
  const reported: Reported = row?.body ? (JSON.parse(row.body) as Reported) : { description: null, tables: {}, functions: [] }
  const document = openApiDocument(plan.cache, {
    schema: plan.schema,
    privileges: plan.followPrivileges ? { tables: reported.tables, functions: reported.functions } : undefined,
    schemaDescription: reported.description,
    host: plan.proxy?.host ?? request.headers.host,
    basePath: plan.basePath,
    schemes: [plan.proxy?.scheme ?? 'http'],
    security: plan.securityActive,
    version: VERSION,
  })
  const headers: Record<string, string> = { 'Content-Type': contentTypeOf(plan.mediaType) }
  if (request.schemaNegotiated) headers['Content-Profile'] = request.schema
  // a db-pre-request function may set headers and status here too
  return {
    status: gucStatus(row?.response_status) ?? 200,
    headers: mergeHeaders(headers, gucHeaders(row?.response_headers)),
    body: plan.headOnly ? undefined : Buffer.from(JSON.stringify(document)),
  }
}
