/**
 * Converts anything thrown on the request path into an ApiError: ApiErrors pass through, PostgreSQL
 * errors map by SQLSTATE (postgrest-spec.md §9.3), connection failures become PGRST000/001, anything
 * else a 500 whose cause is logged, never sent. Mirrors PostgREST Error.hs (pgErrorStatus).
 */
import { ApiError, isApiError } from './api-error.js'
import { errors } from './catalog.js'

type PgLikeError = { code: string; message: string; detail?: string | null; hint?: string | null }

/**
 * Node's own errors (EPIPE, EPERM, EBUSY...) can have a code of a SQLSTATE's shape; they carry an errno
 * or a syscall, which PostgreSQL's errors never do.
 */
function isSystemError(err: object): boolean {
  const e = err as { errno?: unknown; syscall?: unknown }
  return typeof e.errno === 'number' || typeof e.syscall === 'string'
}

function isPgError(err: unknown): err is PgLikeError {
  if (typeof err !== 'object' || err === null) return false
  const code = (err as { code?: unknown }).code
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !isSystemError(err)
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', '57P01', '57P02', '57P03'])

export function pgErrorStatus(code: string, message: string, isAuthenticated: boolean): number {
  if (code === '42501') return isAuthenticated ? 403 : 401
  if (code === '21000') return message.endsWith('requires a WHERE clause') ? 400 : 500
  if (code === '22023') return /^role .* does not exist$/.test(message) ? 401 : 400
  if (code === '23503' || code === '23505') return 409
  if (code === '25006') return 405
  if (code === '42P01') return 404
  if (code === '42883') return message.startsWith('function xmlagg(') ? 406 : 404
  if (code === '42P17') return 500
  if (code === '53400') return 500
  if (code === '57P01') return 503
  if (code === 'P0001') return 400
  if (/^PT\d{3}$/.test(code)) return Number(code.slice(2))
  const cls = code.slice(0, 2)
  switch (cls) {
    case '08':
      return 503
    case '09':
    case '25':
    case '2D':
    case '38':
    case '39':
    case '3B':
    case '40':
    case '55':
    case '57':
    case '58':
    case 'F0':
    case 'HV':
    case 'P0':
    case 'XX':
    case '54':
      return 500
    case '0L':
    case '0P':
    case '28':
      return 403
    case '53':
      return 503
    default:
      return 400
  }
}

/** RAISE SQLSTATE 'PGRST' USING message = '{json}', detail = '{json}': the function controls the response. */
function raisedPgrst(err: PgLikeError): ApiError {
  let body: Record<string, unknown>
  let meta: Record<string, unknown>
  try {
    body = JSON.parse(err.message) as Record<string, unknown>
    if (typeof body !== 'object' || body === null || typeof body.code !== 'string' || typeof body.message !== 'string') throw new Error()
  } catch {
    return errors.raisedMessage(err.message)
  }
  if (err.detail === undefined || err.detail === null) {
    return errors.raisedDetail(undefined)
  }
  try {
    meta = JSON.parse(err.detail) as Record<string, unknown>
    if (typeof meta !== 'object' || meta === null || typeof meta.status !== 'number' || typeof meta.headers !== 'object') throw new Error()
  } catch {
    return errors.raisedDetail(err.detail)
  }
  const headers = Object.fromEntries(Object.entries(meta.headers as Record<string, unknown>).map(([k, v]) => [k, String(v)]))
  return new ApiError(
    meta.status as number,
    body.code as string,
    body.message as string,
    typeof body.details === 'string' ? body.details : null,
    typeof body.hint === 'string' ? body.hint : null,
    headers,
  )
}

export function toApiError(err: unknown, isAuthenticated: boolean, onInternal: (err: unknown) => void = () => {}): ApiError {
  if (isApiError(err)) return err
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined
  if (code === 'POOL_TIMEOUT') return errors.poolTimeout()
  if (code === 'REQUEST_ABORTED') return errors.clientClosed()
  // before the SQLSTATE mapping: a PostgreSQL 57P01-57P03 is a connection error either way (other
  // system errors, EPERM say, are not SQLSTATEs: see isPgError)
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) {
    return errors.connection((err as Error).message ?? null)
  }
  if (isPgError(err)) {
    if (err.code === 'PGRST') return raisedPgrst(err)
    if (err.code.startsWith('08') || err.code === '57P01' || err.code === '57P02' || err.code === '57P03') {
      return errors.connection(err.message)
    }
    const status = pgErrorStatus(err.code, err.message, isAuthenticated)
    const headers: Record<string, string> = status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {}
    return new ApiError(status, err.code, err.message, err.detail ?? null, err.hint ?? null, headers)
  }
  if (err instanceof Error && /Connection terminated|connect ECONNREFUSED|Client has encountered a connection error/.test(err.message)) {
    return errors.connection(err.message)
  }
  onInternal(err)
  return errors.internal('Internal server error')
}
