/**
 * The AdminClient of a running server: every operation through its HTTP binding at `{url}/api/v2`,
 * with the admin key as Bearer API key. The project id and default database are asked once.
 */
import { checkedInput, type AdminClient } from './admin-client.js'
import { requestFor } from './http-routes.js'
import { AdminError } from './operation.js'

type Project = { id: string; default_database?: string }

export function remoteAdminClient(url: string, adminKey: string, options: Readonly<{ timeoutMs?: number }> = {}): AdminClient {
  const base = `${url.replace(/\/+$/, '')}/api/v2`
  const timeoutMs = options.timeoutMs ?? 120_000

  async function send(method: string, path: string, body?: unknown): Promise<unknown> {
    let res: Response
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: { Authorization: `Bearer ${adminKey}`, Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (err) {
      throw new AdminError(503, 'UNREACHABLE', `Could not reach the data-api server at ${url}: ${(err as Error).message}`)
    }
    const text = await res.text()
    let payload: unknown = {}
    try {
      payload = text ? JSON.parse(text) : {}
    } catch {
      payload = { message: text }
    }
    if (!res.ok) {
      const p = payload as { code?: unknown; message?: unknown }
      const { code: _code, message: _message, ...extra } = payload as Record<string, unknown>
      throw new AdminError(res.status, typeof p.code === 'string' ? p.code : `HTTP_${res.status}`, String(p.message ?? res.statusText), extra)
    }
    return payload
  }

  let project: Promise<Project> | undefined
  const discover = (): Promise<Project> => {
    project ??= (send('GET', '/projects') as Promise<{ projects: Project[] }>).then((r) => {
      const first = r.projects[0]
      if (!first) throw new AdminError(502, 'BAD_SERVER', `${url} lists no project`)
      return first
    })
    return project
  }

  return {
    where: url,
    async call(operation, input) {
      const checked = checkedInput(operation, input) as Record<string, unknown>
      // send what the caller gave (defaults are the server's to fill), once it passed the same checks
      const given = Object.fromEntries(Object.entries(input).filter(([k, v]) => v !== undefined && k in checked))
      const p = await discover()
      const request = requestFor(operation, given, checked, { project_id: p.id, branch_id: 'main', database_name: p.default_database ?? 'neondb' })
      return send(request.method, request.path, request.body)
    },
    close: async () => {},
  }
}
