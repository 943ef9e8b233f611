/** What a tool answers: text, marked as an error when it failed (with the AdminError's message and fields). */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { AdminError } from '../admin/operation.js'

export function textResult(text: string, isError = false): CallToolResult {
  return { content: [{ type: 'text', text }], ...(isError ? { isError: true } : {}) }
}

export function errorText(err: unknown): string {
  if (err instanceof AdminError) {
    const extra = Object.entries(err.extra).filter(([k]) => k !== 'errors')
    return [err.message, ...extra.map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)].join('\n')
  }
  return `Internal error: ${(err as Error).message ?? String(err)}`
}

