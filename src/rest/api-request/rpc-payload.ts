/**
 * Stage 1 (parse). The body of `POST /rpc/fn` → argument names and values (postgrest-spec.md §6.1,
 * §6.3): a JSON object (a JSON array counts as its first element), an urlencoded form, CSV (its first
 * row), or nothing
 * (≡ `{}`); a text/plain, text/xml or application/octet-stream body is one argument in itself.
 * Raises PGRST102.
 */
import { errors } from '../../errors/catalog.js'
import type { BodyKind } from './types.js'
import { parseCsvPayload } from './payload.js'

export type RpcPayload = Readonly<{
  bodyKind: BodyKind
  /** the named arguments (empty for a raw body) */
  args: Readonly<Record<string, unknown>>
  /** the body exactly as sent, for a function whose single unnamed parameter takes it whole */
  raw: Buffer
}>

export function mimeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase()
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function parseRpcPayload(contentType: string | undefined, body: Buffer | undefined): RpcPayload {
  const raw = body ?? Buffer.alloc(0)
  const mime = mimeOf(contentType)
  switch (mime) {
    case '':
    case 'application/json': {
      const text = raw.toString('utf8')
      // an empty body calls the function without arguments
      if (text.trim() === '') return { bodyKind: 'json', args: {}, raw: Buffer.from('{}') }
      let value: unknown
      try {
        value = JSON.parse(text)
      } catch {
        throw errors.invalidBody('Empty or invalid json')
      }
      const first = Array.isArray(value) ? value[0] : value
      return { bodyKind: 'json', args: isPlainObject(first) ? first : {}, raw }
    }
    case 'application/x-www-form-urlencoded': {
      // a repeated key is a list (for an array or variadic parameter)
      const args: Record<string, string | string[]> = {}
      for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) {
        const seen = args[key]
        args[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value]
      }
      return { bodyKind: 'other', args, raw }
    }
    case 'text/csv': {
      // a header row and value rows: the first row's fields are the arguments
      const first = parseCsvPayload(raw.toString('utf8')).rows[0] ?? {}
      return { bodyKind: 'other', args: first, raw }
    }
    case 'text/plain':
      return { bodyKind: 'text', args: {}, raw }
    case 'text/xml':
      return { bodyKind: 'xml', args: {}, raw }
    case 'application/octet-stream':
      return { bodyKind: 'octet', args: {}, raw }
    default:
      throw errors.invalidBody(`Content-Type not acceptable: ${mime}`)
  }
}
