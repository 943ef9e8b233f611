/** Stage 5 (respond) output: what the HTTP layer writes, nothing more. */
export type HttpResponse = Readonly<{
  status: number
  headers: Readonly<Record<string, string>>
  /** undefined: no body and no Content-Length (HEAD, 204) */
  body: Buffer | undefined
}>
