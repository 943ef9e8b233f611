/**
 * The peer: the endpoint a developer would write by hand for the five workloads with RLS, on
 * node:http and a `pg` pool of 10. Per request: verify the token (jose, no cache), check a client
 * out, BEGIN, set_config of role and claims, the query (plain parameterised SQL, unnamed statements),
 * COMMIT, JSON.stringify the rows. The parent with its children is two queries assembled in
 * JavaScript. Serves the same URLs as the data-api so the same load scripts drive both.
 *
 *   DATABASE_URL=postgres://… JWT_SECRET=… PORT=… node --import tsx bench/hand-written-server.ts
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { jwtVerify } from 'jose'
import pg from 'pg'

const databaseUrl = process.env.DATABASE_URL
const secret = process.env.JWT_SECRET
if (!databaseUrl || !secret) {
  console.error('DATABASE_URL and JWT_SECRET are required')
  process.exit(2)
}
const port = Number(process.env.PORT ?? 3001)
const key = new TextEncoder().encode(secret)
// bigint and numeric as JSON numbers (pg returns them as strings by default), as PostgREST does
pg.types.setTypeParser(pg.types.builtins.INT8, Number)
pg.types.setTypeParser(pg.types.builtins.NUMERIC, Number)
const pool = new pg.Pool({ connectionString: databaseUrl, max: Number(process.env.POOL_SIZE ?? 10), application_name: 'hand-written' })

type Claims = { role?: unknown; sub?: unknown }

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

async function claimsOf(req: IncomingMessage): Promise<Claims> {
  const header = req.headers.authorization ?? ''
  if (!header.startsWith('Bearer ')) throw new HttpError(401, 'missing token')
  try {
    const { payload } = await jwtVerify(header.slice(7), key, { algorithms: ['HS256'] })
    return payload as Claims
  } catch {
    throw new HttpError(401, 'invalid token')
  }
}

/** BEGIN; set role and claims; run `work`; COMMIT, the way RLS-aware handlers are usually written. */
async function asUser<T>(claims: Claims, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    await client.query("select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)", [
      typeof claims.role === 'string' ? claims.role : 'authenticated',
      JSON.stringify(claims),
    ])
    const result = await work(client)
    await client.query('COMMIT')
    return result
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw err
  } finally {
    client.release()
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > 1_000_000) reject(new HttpError(413, 'body too large'))
      else chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/** `eq.42` → 42 */
function eqId(value: string | null): number {
  const m = /^eq\.(\d+)$/.exec(value ?? '')
  if (!m) throw new HttpError(400, 'expected id=eq.<number>')
  return Number(m[1])
}

async function handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
  const url = new URL(req.url ?? '/', 'http://localhost')
  const path = url.pathname
  if (path === '/live') return { status: 200, body: 'ok' }
  const claims = await claimsOf(req)

  if (req.method === 'GET' && path.endsWith('/books') && url.searchParams.has('id')) {
    const id = eqId(url.searchParams.get('id'))
    const rows = await asUser(claims, async (client) => (await client.query('select * from books where id = $1', [id])).rows)
    if (rows.length !== 1) throw new HttpError(406, 'expected one row')
    return { status: 200, body: rows[0] }
  }

  if (req.method === 'GET' && path.endsWith('/books')) {
    const genre = /^eq\.(.*)$/.exec(url.searchParams.get('genre') ?? '')?.[1] ?? ''
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 20), 100)
    const rows = await asUser(
      claims,
      async (client) => (await client.query('select * from books where genre = $1 order by year desc, id desc limit $2', [genre, limit])).rows,
    )
    return { status: 200, body: rows }
  }

  if (req.method === 'GET' && path.endsWith('/authors')) {
    const id = eqId(url.searchParams.get('id'))
    const author = await asUser(claims, async (client) => {
      const authors = await client.query('select * from authors where id = $1', [id])
      const found = authors.rows[0] as Record<string, unknown> | undefined
      if (!found) return undefined
      const books = await client.query('select * from books where author_id = $1', [id])
      return { ...found, books: books.rows }
    })
    return { status: 200, body: author ? [author] : [] }
  }

  if (req.method === 'POST' && path.endsWith('/notes')) {
    const input = JSON.parse(await readBody(req)) as { author_id?: number; body?: string; rating?: number }
    const rows = await asUser(
      claims,
      async (client) =>
        (
          await client.query('insert into notes (author_id, body, rating) values ($1, $2, $3) returning *', [
            input.author_id ?? null,
            input.body ?? '',
            input.rating ?? null,
          ])
        ).rows,
    )
    return { status: 201, body: rows }
  }

  if (req.method === 'POST' && path.endsWith('/rpc/books_of_author')) {
    const input = JSON.parse(await readBody(req)) as { p_author_id?: number }
    const rows = await asUser(claims, async (client) => (await client.query('select * from books_of_author($1)', [input.p_author_id ?? null])).rows)
    return { status: 200, body: rows }
  }

  throw new HttpError(404, 'not found')
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}

const server = createServer((req, res) => {
  handle(req).then(
    ({ status, body }) => send(res, status, body),
    (err: unknown) => {
      if (err instanceof HttpError) send(res, err.status, { message: err.message })
      else send(res, 500, { message: err instanceof Error ? err.message : String(err) })
    },
  )
})
server.keepAliveTimeout = 65_000

server.listen(port, '127.0.0.1', () => console.log(`hand-written server on http://127.0.0.1:${port}`))

const stop = () => {
  server.close()
  server.closeAllConnections()
  pool.end().then(
    () => process.exit(0),
    () => process.exit(1),
  )
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
