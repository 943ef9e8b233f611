/**
 * The one error type of the request path. Every failure a client can see becomes an ApiError, and
 * render-error.ts turns it into PostgREST's JSON body. Mirrors PostgREST Error.hs.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(
    readonly status: number,
    /** 'PGRST205', or a SQLSTATE such as '23505' */
    readonly code: string,
    message: string,
    readonly details: string | unknown[] | null = null,
    readonly hint: string | null = null,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message)
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError
}
