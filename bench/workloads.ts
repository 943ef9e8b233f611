/**
 * The five benchmark workloads (performance.md §5), as request templates shared by the load
 * generators (wrk Lua or autocannon), the pre-check and the SQL capture. `{author}` in a path or
 * body stands for one of the requesting user's authors, chosen at random per request.
 */

export type WorkloadName = 'get-one' | 'list' | 'embed' | 'insert' | 'rpc'

export const AUTHOR_PLACEHOLDER = '{author}'

export type Workload = Readonly<{
  name: WorkloadName
  title: string
  method: 'GET' | 'POST'
  /** below the REST base (`/{db}/rest/v1`) */
  path: string
  headers: Readonly<Record<string, string>>
  body: string | undefined
  /** writes into `notes`, which is truncated before every run */
  writes: boolean
  /** the status of a correct answer */
  status: number
  /** what a correct body looks like; returns the problem, or undefined when it is right */
  checkBody: (body: string) => string | undefined
}>

function json(body: string): unknown {
  try {
    return JSON.parse(body) as unknown
  } catch {
    return undefined
  }
}

/** What is wrong with an answer, or undefined when it is right. */
export function checkAnswer(w: Workload, status: number, body: string): string | undefined {
  return status === w.status ? w.checkBody(body) : `HTTP ${status}: ${body.slice(0, 200)}`
}

export const WORKLOADS: readonly Workload[] = [
  {
    name: 'get-one',
    title: 'one row by primary key, singular object',
    method: 'GET',
    path: '/authors?id=eq.{author}',
    headers: { Accept: 'application/vnd.pgrst.object+json' },
    body: undefined,
    writes: false,
    status: 200,
    checkBody: (body) => {
      const value = json(body) as { id?: unknown } | undefined
      return typeof value?.id === 'number' ? undefined : `not an author object: ${body.slice(0, 200)}`
    },
  },
  {
    name: 'list',
    title: '20-row filtered, ordered list',
    method: 'GET',
    path: '/books?year=gte.1950&order=year.desc,id.asc&limit=20',
    headers: {},
    body: undefined,
    writes: false,
    status: 200,
    checkBody: (body) => {
      const value = json(body)
      return Array.isArray(value) && value.length === 20 ? undefined : `expected 20 rows: ${body.slice(0, 200)}`
    },
  },
  {
    name: 'embed',
    title: 'parent with its children embedded',
    method: 'GET',
    path: '/authors?id=eq.{author}&select=*,books(*)',
    headers: {},
    body: undefined,
    writes: false,
    status: 200,
    checkBody: (body) => {
      const value = json(body) as { books?: unknown[] }[] | undefined
      const books = Array.isArray(value) ? value[0]?.books : undefined
      return Array.isArray(books) && books.length === 9 ? undefined : `expected 1 author with 9 books: ${body.slice(0, 200)}`
    },
  },
  {
    name: 'insert',
    title: 'insert, Prefer: return=representation',
    method: 'POST',
    path: '/notes',
    headers: { 'Content-Type': 'application/json', Prefer: 'return=representation' },
    body: '{"author_id":{author},"body":"a benchmark note","rating":4}',
    writes: true,
    status: 201,
    checkBody: (body) => {
      const value = json(body) as { id?: unknown; user_id?: unknown }[] | undefined
      return Array.isArray(value) && typeof value[0]?.id === 'number' ? undefined : `expected the inserted row: ${body.slice(0, 200)}`
    },
  },
  {
    name: 'rpc',
    title: 'RPC, STABLE SQL function (POST /rpc/top_books)',
    method: 'POST',
    path: '/rpc/top_books',
    headers: { 'Content-Type': 'application/json' },
    body: '{"p_author_id":{author}}',
    writes: false,
    status: 200,
    checkBody: (body) => {
      const value = json(body)
      return Array.isArray(value) && value.length === 5 ? undefined : `expected 5 books: ${body.slice(0, 200)}`
    },
  },
]

/** Whether the request names an author (the answer must then be about that author). */
export function namesAuthor(w: Workload): boolean {
  return w.path.includes(AUTHOR_PLACEHOLDER) || (w.body?.includes(AUTHOR_PLACEHOLDER) ?? false)
}

export function fill(template: string, author: number): string {
  return template.split(AUTHOR_PLACEHOLDER).join(String(author))
}

/** The author a request made as `user` picks: user + users·k for k in [0, perUser). */
export function authorOf(user: number, k: number, users: number): number {
  return user + users * k
}
