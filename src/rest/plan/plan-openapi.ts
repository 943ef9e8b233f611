/**
 * Stage 2 (plan). `GET|HEAD /` → OpenApiPlan: the OpenAPI document of the request's schema, built
 * from the schema cache and, in follow-privileges mode, from what the request role may do (asked of
 * the database as that role). Disabled → PGRST126. Pure.
 */
import type { AppConfig } from '../../config/app-config.js'
import { errors } from '../../errors/catalog.js'
import type { SchemaCache } from '../../schema-cache/types.js'
import type { ApiRequest } from '../api-request/api-request.js'
import { negotiate } from './negotiate.js'
import { planTransaction } from './plan-transaction.js'
import type { OpenApiPlan } from './types.js'

export function planOpenApi(request: ApiRequest, cache: SchemaCache, config: AppConfig, dbName: string | undefined): OpenApiPlan {
  if (config.openApiMode === 'disabled') throw errors.openApiDisabled()
  if (request.method !== 'GET' && request.method !== 'HEAD') throw errors.unsupportedMethod(request.method)
  const mediaType = negotiate(request)
  const proxy = config.openApiServerProxyUri === undefined ? undefined : new URL(config.openApiServerProxyUri)
  return {
    kind: 'openapi',
    schema: request.schema,
    followPrivileges: config.openApiMode !== 'ignore-privileges',
    cache,
    basePath: proxy ? proxy.pathname.replace(/\/+$/, '') || '/' : dbName === undefined ? '/' : `/${dbName.split('/').map(encodeURIComponent).join('/')}/rest/v1`,
    proxy: proxy ? { scheme: proxy.protocol.slice(0, -1), host: proxy.host } : undefined,
    securityActive: config.openApiSecurityActive,
    mediaType,
    headOnly: request.method === 'HEAD',
    transaction: planTransaction(request, config.txEnd, { readOnly: true, mediaType }),
  }
}
