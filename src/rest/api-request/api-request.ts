/**
 * Stage 1 (parse) result: everything the planner needs from the HTTP request, already parsed.
 */
import type { AcceptItem } from './media-type.js'
import type { Payload } from './payload.js'
import type { RpcPayload } from './rpc-payload.js'
import type { Preferences, QueryParams } from './types.js'

export type Method = 'GET' | 'HEAD' | 'POST' | 'PATCH' | 'PUT' | 'DELETE' | 'OPTIONS'

export type Target =
  | Readonly<{ kind: 'relation'; name: string }>
  | Readonly<{ kind: 'routine'; name: string }>
  | Readonly<{ kind: 'root' }>

export type ApiRequest = Readonly<{
  method: Method
  target: Target
  /** the schema the request runs in (profile header or the first exposed schema) */
  schema: string
  /** true when a profile header was sent or several schemas are exposed: answer with Content-Profile */
  schemaNegotiated: boolean
  query: QueryParams
  preferences: Preferences
  /** from the Range header (GET only) */
  range: Readonly<{ offset: number; limit?: number }> | undefined
  accept: readonly AcceptItem[]
  /** the path as the client sent it below /{db}/rest/v1, for request.path */
  path: string
  /** lower-cased request headers without Cookie, for request.headers */
  headers: Readonly<Record<string, string>>
  cookies: Readonly<Record<string, string>>
  /** the body, parsed: rows for POST/PATCH/PUT on a table, arguments for POST on a function */
  payload: RequestPayload | undefined
}>

export type RequestPayload = Readonly<{ kind: 'rows'; rows: Payload }> | Readonly<{ kind: 'args'; args: RpcPayload }>
