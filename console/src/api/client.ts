/**
 * The console's one door to the server: fetch with the session cookie and the header that marks a
 * console request (the server's CSRF check), JSON in and out, errors as ApiError. A 401 from any
 * call means the session is gone: the shell is told, and shows the sign-in form.
 */

export type FieldError = Readonly<{ path: string; message: string }>

/** An error answer of the management API: `{code, message, errors?, detail?, hint?, position?}`. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: readonly FieldError[] = [],
    readonly detail: string | null = null,
    readonly hint: string | null = null,
    /** 1-based character offset of a SQL error in the SQL that was sent */
    readonly position: number | null = null,
  ) {
    super(message)
  }
}

const CONSOLE_HEADER = { 'X-Data-API-Console': '1' }
/** Bounded waits: a statement may take a while, nothing else should. */
const TIMEOUT_MS = 120_000

let signedOut: () => void = () => undefined

/** What to do when the server says the session is gone. */
export function onSignedOut(handler: () => void): void {
  signedOut = handler
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null
}

async function toApiError(res: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {}
  try {
    const parsed: unknown = await res.json()
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>
  } catch {
    // not JSON (a proxy's error page): the status says enough
  }
  const errors = Array.isArray(body.errors)
    ? body.errors.filter((e): e is FieldError => typeof e?.path === 'string' && typeof e?.message === 'string')
    : []
  return new ApiError(
    res.status,
    text(body.code) ?? `HTTP_${res.status}`,
    text(body.message) ?? `The server answered ${res.status} ${res.statusText}`.trim(),
    errors,
    text(body.detail),
    text(body.hint),
    typeof body.position === 'number' ? body.position : null,
  )
}

async function send(method: string, url: string, body: unknown): Promise<Response> {
  try {
    return await fetch(url, {
      method,
      headers: { ...CONSOLE_HEADER, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    })
  } catch (err) {
    const timedOut = err instanceof DOMException && err.name === 'TimeoutError'
    throw new ApiError(0, timedOut ? 'TIMEOUT' : 'NETWORK', timedOut ? 'The server did not answer in time.' : 'The server cannot be reached. Is it running?')
  }
}

/** A management API call: `path` below /api/v2. */
export async function api<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const res = await send(method, `/api/v2${path}`, body)
  if (res.status === 401) {
    signedOut()
    throw await toApiError(res)
  }
  if (!res.ok) throw await toApiError(res)
  return (await res.json()) as T
}

/** Signs in with the admin key (the session is an HttpOnly cookie the page never sees). */
export async function signIn(adminKey: string): Promise<void> {
  const res = await send('POST', '/console/session', { admin_key: adminKey })
  if (!res.ok) throw await toApiError(res)
}

export async function signOut(): Promise<void> {
  const res = await send('DELETE', '/console/session', undefined)
  if (!res.ok) throw await toApiError(res)
}
