/**
 * Fuzz support: sends one generated request and judges the answer. It must not be 5xx (a 503 when the
 * server is busy or the database away is fine, and 504 for a statement cut short; neither happens in a
 * fuzz run, so any 5xx counts), and no error may show SQL the server generated: an error body that
 * contains one of our SQL builder's markers which the request itself did not contain is a leak.
 */
import { FUZZ_SCHEMA_SQL, type FuzzRequest } from './fuzz-arbitraries.js'

/** Pieces of SQL only our statements contain (aliases, functions, clauses), never PostgREST's messages. */
export const SQL_MARKERS: readonly RegExp[] = [
  /\bselect\b[^"]{0,200}\bfrom\b/i,
  /\$\d+/,
  /set_config\s*\(/i,
  /json_agg\s*\(/i,
  /json_build_object\s*\(/i,
  /row_to_json\s*\(/i,
  /\blateral\b/i,
  /_postgrest_t\b/,
  /\bpgrst_(source|body|sub|row|json|present|payload|call|v|key|elem|scalar|inserted|role)\w*/,
  /\bwith\s+\w+\s+as\s*\(/i,
]

/** The first marker found in `text` and not in what the request sent (which the server may echo). */
export function sqlLeak(text: string, sent: string): string | undefined {
  for (const marker of SQL_MARKERS) {
    const found = marker.exec(text)
    if (found && !marker.test(sent)) return found[0]
  }
  return undefined
}

function decoded(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/** Sends `req` below `base` (`.../rest/v1`); a problem in words, or undefined when the answer is fine. */
export async function checkFuzzRequest(base: string, req: FuzzRequest): Promise<string | undefined> {
  let res: Response
  try {
    res = await fetch(`${base}${req.path}`, { method: req.method, headers: req.headers, body: req.body, signal: AbortSignal.timeout(30_000) })
  } catch (err) {
    // fetch refuses to build some requests itself (a header value it deems invalid): never sent, not the
    // server's doing; 'fetch failed' is a request sent and not answered (the connection closed or reset)
    if (err instanceof TypeError && err.message !== 'fetch failed') return undefined
    return `no answer: ${String(err)} ${String((err as Error).cause ?? '')}`
  }
  const text = await res.text()
  if (res.status >= 500) return `status ${res.status}: ${text.slice(0, 500)}`
  if (res.status >= 400) {
    const sent = [req.path, decoded(req.path), JSON.stringify(req.headers), req.body ?? ''].join('\n')
    const leak = sqlLeak(text, sent)
    if (leak !== undefined) return `SQL text ${JSON.stringify(leak)} in the error: ${text.slice(0, 500)}`
  }
  return undefined
}

/** A request as one line, to reproduce a failure with curl or fetch. */
export function describeFuzzRequest(req: FuzzRequest): string {
  return `${req.method} ${req.path} ${JSON.stringify(req.headers)}${req.body === undefined ? '' : ` body ${JSON.stringify(req.body)}`}`
}

/** Put back the rows fuzzed DELETEs and PATCHes changed (run now and then; the schema stays). */
export const FUZZ_RESEED_SQL = `
  delete from rel; delete from things;
  ${FUZZ_SCHEMA_SQL.split('\n')
    .filter((line) => line.trim().startsWith('insert into'))
    .join('\n')}`

/**
 * Runs `requests` against `base`, `concurrency` at a time; returns the failures (index, request,
 * problem). Keep-alive connections are reused by fetch, so this is bounded by the server, not by setup.
 */
export async function runFuzzRequests(
  base: string,
  requests: readonly FuzzRequest[],
  concurrency: number,
): Promise<{ index: number; request: FuzzRequest; problem: string }[]> {
  const failures: { index: number; request: FuzzRequest; problem: string }[] = []
  let next = 0
  const worker = async () => {
    while (next < requests.length) {
      const index = next++
      const request = requests[index] as FuzzRequest
      const problem = await checkFuzzRequest(base, request)
      if (problem !== undefined) failures.push({ index, request, problem })
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return failures.sort((a, b) => a.index - b.index)
}
