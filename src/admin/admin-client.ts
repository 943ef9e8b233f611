/**
 * How a face runs an operation: in the server's own process (the HTTP API, /mcp, the CLI with no
 * server running) or through a running server's HTTP API (the CLI, `data-api mcp`). Both validate the
 * input with the operation's own schema first, so every face shows the same error text.
 */
import type { AdminContext } from './admin-context.js'
import { AdminError, invalidInput, type Operation } from './operation.js'

export interface AdminClient {
  /** Runs the operation; rejects with an AdminError (status, code, message) when it fails. */
  call(operation: Operation, input: Readonly<Record<string, unknown>>): Promise<unknown>
  /** where the operations run, for messages: `http://127.0.0.1:3000` or `the database directly` */
  readonly where: string
  close(): Promise<void>
}

/** The input, checked by the operation's schema; an AdminError (400) otherwise. */
export function checkedInput(operation: Operation, input: Readonly<Record<string, unknown>>): unknown {
  const parsed = operation.input.safeParse(input)
  if (!parsed.success) throw invalidInput(parsed.error)
  return parsed.data
}

export function inProcessClient(ctx: AdminContext, options: Readonly<{ where: string; close?: () => Promise<void> }>): AdminClient {
  return {
    where: options.where,
    call: async (operation, input) => operation.run(ctx, checkedInput(operation, input)),
    close: options.close ?? (async () => {}),
  }
}

export { AdminError }
