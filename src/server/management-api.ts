/**
 * The management API at /api/v2: the operation registry's HTTP face, in the hosted product's shapes
 * (so `@neondatabase/api-client` works against it). The admin key is the API key (Bearer). Bad input
 * answers 400 with the path and message of each bad field; an unknown route 404; never a 500 for
 * anything a client sent.
 */
import type { AdminContext } from '../admin/admin-context.js'
import { HttpRoutes, requestInput } from '../admin/http-routes.js'
import { AdminError, invalidInput, notFound, type Operation } from '../admin/operation.js'
import type { HttpResponse } from '../rest/response/http-response.js'
import { TooManyDatabases } from '../serving/database-host.js'

export const MANAGEMENT_PREFIX = '/api/v2'

function json(status: number, value: unknown): HttpResponse {
  return { status, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: Buffer.from(JSON.stringify(value)) }
}

function error(err: AdminError, extraHeaders: Record<string, string> = {}): HttpResponse {
  const response = json(err.status, err.toJSON())
  return { ...response, headers: { ...response.headers, ...extraHeaders } }
}

function parseBody(body: Buffer | undefined): Record<string, unknown> | AdminError {
  if (!body || body.length === 0) return {}
  let value: unknown
  try {
    value = JSON.parse(body.toString('utf8'))
  } catch {
    return new AdminError(400, 'INVALID_REQUEST', 'The request body is not valid JSON.')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return new AdminError(400, 'INVALID_REQUEST', 'The request body must be a JSON object.')
  }
  return value as Record<string, unknown>
}

export type ManagementApi = Readonly<{
  handle: (method: string, path: string, query: string, body: Buffer | undefined) => Promise<HttpResponse>
}>

export function createManagementApi(
  ctx: AdminContext,
  operations: readonly Operation[],
  onInternalError: (err: unknown) => void,
): ManagementApi {
  const routes = new HttpRoutes(operations)
  return {
    async handle(method, path, query, rawBody) {
      const sub = path.slice(MANAGEMENT_PREFIX.length) || '/'
      const body = parseBody(rawBody)
      if (body instanceof AdminError) return error(body)
      const match = routes.match(method, sub, body)
      if (match.kind === 'not-found') return error(notFound(`No management route ${method} ${path}`))
      if (match.kind === 'method-not-allowed') {
        return error(new AdminError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}; use ${match.allow.join(', ')}`), {
          Allow: match.allow.join(', '),
        })
      }
      const projectId = match.params.project_id
      if (projectId !== undefined && projectId !== ctx.base.projectId) {
        return error(notFound(`Project "${projectId}" not found; this server is project "${ctx.base.projectId}".`))
      }
      const { operation } = match
      const parsed = operation.input.safeParse(requestInput(operation, match.params, new URLSearchParams(query), body))
      if (!parsed.success) return error(invalidInput(parsed.error))
      try {
        return json(operation.http.status ?? 200, await operation.run(ctx, parsed.data))
      } catch (err) {
        if (err instanceof AdminError) return error(err)
        if (err instanceof TooManyDatabases) return error(new AdminError(503, 'UNAVAILABLE', err.message), { 'Retry-After': '5' })
        onInternalError(err)
        return error(new AdminError(500, 'INTERNAL', 'Internal error; see the server log.'))
      }
    },
  }
}
