/**
 * The five benchmark workloads (issue 17), as request templates shared by the wrk scripts, the
 * pre-checks, the SQL capture and the hand-written peer. `{id}` in a path or body stands for a row
 * of the requesting user, chosen at random per request: one of the user's authors, or one of the
 * books of one of them (see `IdKind`). Each workload also names its *bare* query: the shortest SQL
 * that returns the same rows, which pgbench runs as the ceiling without any API around it.
 */
import { BOOKS_PER_AUTHOR, LIST_GENRE } from './fixture.js'

export type WorkloadName = 'get-one' | 'list' | 'embed' | 'insert' | 'rpc'

export const ID_PLACEHOLDER = '{id}'

/** What `{id}` stands for: nothing, one of the user's authors, or one of their books. */
export type IdKind = 'none' | 'author' | 'book'

export type Workload = Readonly<{
  name: WorkloadName
  title: string
  method: 'GET' | 'POST'
  /** below the REST base (`/{db}/rest/v1`) */
  path: string
  headers: Readonly<Record<string, string>>
  body: string | undefined
  id: IdKind
  /** writes into `notes`, which is truncated before every run */
  writes: boolean
  /** the status of a correct answer */
  status: number
  /** what a correct body looks like; returns the problem, or undefined when it is right */
  checkBody: (body: string) => string | undefined
  /**
   * The bare query as a pgbench statement: `:u` is the user number, `:i` the id. RLS is written
   * into the WHERE clause (pgbench connects as the table owner), so it returns the same rows.
   */
  bareSql: string
  /** how many rows the bare query returns (checked before the rounds) */
  bareRows: number
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

function rows(body: string, n: number): string | undefined {
  const value = json(body)
  return Array.isArray(value) && value.length === n ? undefined : `expected ${n} rows: ${body.slice(0, 200)}`
}

const VISIBLE = `(user_id = 'user-' || :u or is_published)`

export const WORKLOADS: readonly Workload[] = [
  {
    name: 'get-one',
    title: 'row by primary key (singular object)',
    method: 'GET',
    path: `/books?id=eq.${ID_PLACEHOLDER}`,
    headers: { Accept: 'application/vnd.pgrst.object+json' },
    body: undefined,
    id: 'book',
    writes: false,
    status: 200,
    checkBody: (body) => {
      const value = json(body) as { id?: unknown } | undefined
      return typeof value?.id === 'number' ? undefined : `not a book object: ${body.slice(0, 200)}`
    },
    bareSql: `select * from books where id = :i and ${VISIBLE}`,
    bareRows: 1,
  },
  {
    name: 'list',
    title: '20-row list, filtered, ordered, limit',
    method: 'GET',
    path: `/books?genre=eq.${LIST_GENRE}&order=year.desc,id.desc&limit=20`,
    headers: {},
    body: undefined,
    id: 'none',
    writes: false,
    status: 200,
    checkBody: (body) => rows(body, 20),
    bareSql: `select * from books where genre = '${LIST_GENRE}' and ${VISIBLE} order by year desc, id desc limit 20`,
    bareRows: 20,
  },
  {
    name: 'embed',
    title: `parent + ${BOOKS_PER_AUTHOR} embedded children`,
    method: 'GET',
    path: `/authors?id=eq.${ID_PLACEHOLDER}&select=*,books(*)`,
    headers: {},
    body: undefined,
    id: 'author',
    writes: false,
    status: 200,
    checkBody: (body) => {
      const value = json(body) as { books?: unknown[] }[] | undefined
      const books = Array.isArray(value) ? value[0]?.books : undefined
      return Array.isArray(books) && books.length === BOOKS_PER_AUTHOR ? undefined : `expected 1 author with ${BOOKS_PER_AUTHOR} books: ${body.slice(0, 200)}`
    },
    bareSql:
      `select a.*, b.* from authors a join books b on b.author_id = a.id ` +
      `where a.id = :i and (a.user_id = 'user-' || :u or a.is_published) and (b.user_id = 'user-' || :u or b.is_published)`,
    bareRows: BOOKS_PER_AUTHOR,
  },
  {
    name: 'insert',
    title: 'insert, return=representation, user_id from auth.user_id()',
    method: 'POST',
    path: '/notes',
    headers: { 'Content-Type': 'application/json', Prefer: 'return=representation' },
    body: `{"author_id":${ID_PLACEHOLDER},"body":"a benchmark note","rating":4}`,
    id: 'author',
    writes: true,
    status: 201,
    checkBody: (body) => {
      const value = json(body) as { id?: unknown; user_id?: unknown }[] | undefined
      return Array.isArray(value) && typeof value[0]?.id === 'number' && typeof value[0]?.user_id === 'string'
        ? undefined
        : `expected the inserted row: ${body.slice(0, 200)}`
    },
    bareSql: `insert into notes (user_id, author_id, body, rating) values ('user-' || :u, :i, 'a benchmark note', 4) returning *`,
    bareRows: 1,
  },
  {
    name: 'rpc',
    title: `set-returning RPC, ${BOOKS_PER_AUTHOR} rows`,
    method: 'POST',
    path: '/rpc/books_of_author',
    headers: { 'Content-Type': 'application/json' },
    body: `{"p_author_id":${ID_PLACEHOLDER}}`,
    id: 'author',
    writes: false,
    status: 200,
    checkBody: (body) => rows(body, BOOKS_PER_AUTHOR),
    bareSql: `select * from books_of_author(:i)`,
    bareRows: BOOKS_PER_AUTHOR,
  },
]

export const WORKLOAD_NAMES: readonly WorkloadName[] = WORKLOADS.map((w) => w.name)

/** Whether the request names a row (the answer must then contain that id). */
export function namesId(w: Workload): boolean {
  return w.id !== 'none'
}

export function fill(template: string, id: number): string {
  return template.split(ID_PLACEHOLDER).join(String(id))
}
