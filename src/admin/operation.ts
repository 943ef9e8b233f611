/**
 * A management operation, declared once as data: its name, what it does, the zod schema of its
 * input, whether it only reads or destroys something, where it lives in each face (an HTTP route in
 * the hosted management API's shapes, a CLI command) and `run`. The HTTP API, the CLI and the MCP
 * server are generated from the list in registry.ts, so an operation appears in every face at once,
 * with the same validation and the same error text.
 */
import type { z } from 'zod'
import type { AdminContext } from './admin-context.js'

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'

export type HttpBinding = Readonly<{
  method: HttpMethod
  /** under /api/v2, with `{field}` segments that fill input fields: `/projects/{project_id}/jwks/{jwks_id}` */
  path: string
  /** input fields read from the query string (the rest come from the path and the JSON body) */
  query?: readonly string[]
  /**
   * Values the route gives fields a request leaves out, where the hosted API's meaning differs from
   * the operation's own default (PATCH data-api replaces the settings; the operation merges).
   */
  defaults?: Readonly<Record<string, unknown>>
  /** among operations bound to the same method and path, this one answers when the body matches */
  when?: (body: Readonly<Record<string, unknown>>) => boolean
  /** the status of a success (default 200) */
  status?: number
}>

export type CliBinding = Readonly<{
  /** the command words: ['create'], ['auth', 'users', 'list'] */
  command: readonly string[]
  /** input fields taken as positional arguments, in order */
  args?: readonly string[]
  /** other names of the command */
  aliases?: readonly string[]
  /** shown under the command's --help */
  examples?: readonly string[]
  /** the output field holding text to print as it is (or write to `--output FILE`), instead of a table */
  text?: string
}>

export type Operation<I extends z.ZodType = z.ZodType, O = unknown> = Readonly<{
  /** the MCP tool's name, and the operation's identity: snake_case */
  name: string
  title: string
  description: string
  input: I
  /** changes nothing (MCP readOnlyHint) */
  readOnly?: boolean
  /** may remove or overwrite data or configuration (MCP destructiveHint) */
  destructive?: boolean
  http: HttpBinding
  cli?: CliBinding
  /** not offered as an MCP tool (a dedicated tool covers it) */
  mcp?: false
  run: (ctx: AdminContext, input: z.output<I>) => Promise<O>
}>

/** The CLI words of an operation: its own, or its name (`delete_trusted_domains` → `delete-trusted-domains`). */
export function cliBinding(operation: Operation): CliBinding {
  return operation.cli ?? { command: [operation.name.replaceAll('_', '-')] }
}

/** Declares an operation with its input type inferred from its schema. */
export function defineOperation<I extends z.ZodType, O>(operation: Operation<I, O>): Operation {
  return operation as unknown as Operation
}

/**
 * The one error type of the management layer: an HTTP status, a code, a message for people, and
 * fields the answer carries besides (the existing URL of a database enabled twice, for instance).
 */
export class AdminError extends Error {
  override readonly name = 'AdminError'
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(message)
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, ...this.extra }
  }
}

export const notFound = (message: string, extra?: Record<string, unknown>) => new AdminError(404, 'NOT_FOUND', message, extra)
export const conflict = (message: string, extra?: Record<string, unknown>) => new AdminError(409, 'CONFLICT', message, extra)
export const badRequest = (message: string, extra?: Record<string, unknown>) => new AdminError(400, 'INVALID_REQUEST', message, extra)

/** A check of a whole input whose message is a sentence of its own, shown as it is (not as a field's problem). */
export const SENTENCE = { sentence: true } as const

/** A zod failure as the one-line message every face shows, and the per-field list the HTTP answer adds. */
export function invalidInput(error: z.ZodError): AdminError {
  const errors = error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }))
  const sentence = error.issues.find((i) => i.code === 'custom' && (i.params as { sentence?: boolean } | undefined)?.sentence)
  if (sentence) return badRequest(sentence.message, { errors })
  const message = errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ')
  return badRequest(`Invalid input: ${message}`, { errors })
}
