/**
 * The OpenAPI (Swagger 2.0) document at /{db}/rest/v1/ and /{db}/rest/v1/openapi.json: content from
 * the schema cache and comments, the three modes, negotiation and methods. Runs against the real
 * server on each backend.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

const library = readFileSync(new URL('./fixtures/library.sql', import.meta.url), 'utf8')

const SETUP = `
comment on schema public is E'Library API\\nBooks, their authors and reviews';
comment on table genres is 'Book genres';
comment on column genres.name is 'The genre name';
create table secrets (id int primary key, secret text not null default 'shh', created_at timestamptz default now());
grant insert on reviews to anonymous;
grant insert, update, delete on genres to authenticated;
create function add_them(a int, b int default 0) returns int language sql immutable as $$ select a + b $$;
comment on function add_them(int, int) is E'Adds two numbers\\nThe second one is optional';
create function bump() returns void language sql volatile as $$ select $$;
create function hidden_fn() returns int language sql stable as $$ select 1 $$;
revoke execute on function hidden_fn() from public;
`

type Doc = {
  swagger: string
  info: Record<string, unknown>
  host: string
  basePath: string
  paths: Record<string, Record<string, Record<string, unknown>>>
  definitions: Record<string, Record<string, unknown>>
  parameters: Record<string, Record<string, unknown>>
}

describe.each(backends)('OpenAPI on %s', (backend) => {
  let s: TestServer
  let ignoring: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend)
    await s.sql(library)
    await s.sql(SETUP)
    ignoring = await startTestServer(backend, { openApiMode: 'ignore-privileges' })
    await ignoring.sql(library)
    await ignoring.sql(SETUP)
  })
  afterAll(async () => {
    await s?.close()
    await ignoring?.close()
  })

  const doc = async (server: TestServer, path = '/', headers: Record<string, string> = {}) => {
    const res = await server.request(path, { headers })
    expect(res.status, await res.clone().text()).toBe(200)
    return (await res.json()) as Doc
  }

  it('serves a Swagger 2.0 document at the root and at /openapi.json', async () => {
    const res = await s.request('/')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/openapi+json; charset=utf-8')
    const body = (await res.json()) as Doc
    expect(body.swagger).toBe('2.0')
    expect(body.info).toEqual({ description: 'Books, their authors and reviews', title: 'Library API', version: expect.any(String) })
    expect(body.host).toBe(new URL(s.app.url).host)
    expect(body.basePath).toBe(`/${s.app.db.name}/rest/v1`)
    expect(await doc(s, '/openapi.json')).toEqual(body)
  })

  it('declares no security and the address the request reached, unless configured', async () => {
    const body = (await doc(s)) as Doc & Record<string, unknown>
    expect(body.schemes).toEqual(['http'])
    expect(body.securityDefinitions).toBeUndefined()
    expect(body.security).toBeUndefined()
  })

  it('declares JWT bearer security and the public URL behind a proxy when configured', async () => {
    const proxied = await startTestServer(backend, {
      openApiSecurityActive: true,
      openApiServerProxyUri: 'https://api.example.com:8443/library/v1/',
    })
    try {
      const body = (await doc(proxied)) as Doc & Record<string, unknown>
      expect({ host: body.host, basePath: body.basePath, schemes: body.schemes }).toEqual({
        host: 'api.example.com:8443',
        basePath: '/library/v1',
        schemes: ['https'],
      })
      expect(body.securityDefinitions).toEqual({
        JWT: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'A JSON Web Token, sent as "Bearer <token>"' },
      })
      expect(body.security).toEqual([{ JWT: [] }])
    } finally {
      await proxied.close()
    }
  })

  it('negotiates application/json and */*, refuses other media types with 406 PGRST107', async () => {
    for (const accept of ['application/json', '*/*', 'application/openapi+json']) {
      const res = await s.request('/', { headers: { Accept: accept } })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('application/openapi+json; charset=utf-8')
    }
    const res = await s.request('/', { headers: { Accept: 'text/csv' } })
    expect(res.status).toBe(406)
    expect(await res.json()).toEqual({ code: 'PGRST107', details: null, hint: null, message: 'None of these media types are available: text/csv' })
  })

  it('answers HEAD without a body and refuses POST with 405 PGRST117', async () => {
    const head = await s.request('/', { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
    const res = await s.request('/', { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } })
    expect(res.status).toBe(405)
    expect(await res.json()).toEqual({ code: 'PGRST117', details: null, hint: null, message: 'Unsupported HTTP method: POST' })
  })

  it('describes tables with columns, types, keys, defaults and comments', async () => {
    const body = await doc(s)
    expect(body.definitions.genres).toEqual({
      description: 'Book genres',
      properties: {
        id: { description: 'Note:\nThis is a Primary Key.<pk/>', format: 'integer', type: 'integer' },
        name: { description: 'The genre name', format: 'text', type: 'string' },
      },
      required: ['id', 'name'],
      type: 'object',
    })
    const books = body.definitions.books!.properties as Record<string, unknown>
    expect(books.author_id).toEqual({
      description: "Note:\nThis is a Foreign Key to `authors.id`.<fk table='authors' column='id'/>",
      format: 'integer',
      type: 'integer',
    })
    expect(books.price).toEqual({ format: 'numeric', type: 'number' })
    expect(books.tags).toEqual({ format: 'text[]', items: { type: 'string' }, type: 'array' })
    expect((body.definitions.authors!.properties as Record<string, unknown>).meta).toEqual({ format: 'jsonb' })
    expect(body.definitions.books!.required).toEqual(['id', 'title'])
  })

  it('lists the methods the role may use on each table', async () => {
    const body = await doc(s)
    expect(Object.keys(body.paths['/genres']!)).toEqual(['get'])
    expect(Object.keys(body.paths['/reviews']!).sort()).toEqual(['get', 'post'])
    expect(body.paths['/genres']!.get).toEqual({
      tags: ['genres'],
      summary: 'Book genres',
      parameters: [
        { $ref: '#/parameters/rowFilter.genres.id' },
        { $ref: '#/parameters/rowFilter.genres.name' },
        { $ref: '#/parameters/select' },
        { $ref: '#/parameters/order' },
        { $ref: '#/parameters/range' },
        { $ref: '#/parameters/rangeUnit' },
        { $ref: '#/parameters/offset' },
        { $ref: '#/parameters/limit' },
        { $ref: '#/parameters/preferCount' },
      ],
      responses: {
        '200': { description: 'OK', schema: { items: { $ref: '#/definitions/genres' }, type: 'array' } },
        '206': { description: 'Partial Content' },
      },
    })
    expect(body.paths['/secrets']).toBeUndefined()
    expect(body.definitions.secrets).toBeUndefined()

    const token = await s.token({ role: 'authenticated' })
    const res = await s.request('/', { token })
    const asUser = (await res.json()) as Doc
    expect(Object.keys(asUser.paths['/genres']!).sort()).toEqual(['delete', 'get', 'patch', 'post'])
    expect(asUser.paths['/genres']!.post).toEqual({
      tags: ['genres'],
      summary: 'Book genres',
      parameters: [{ $ref: '#/parameters/body.genres' }, { $ref: '#/parameters/select' }, { $ref: '#/parameters/preferPost' }],
      responses: { '201': { description: 'Created' } },
    })
  })

  it('describes functions the role may execute, GET only when not volatile', async () => {
    const body = await doc(s)
    const addThem = body.paths['/rpc/add_them']!
    expect(addThem.post).toEqual({
      tags: ['(rpc) add_them'],
      summary: 'Adds two numbers',
      description: 'The second one is optional',
      parameters: [
        {
          in: 'body',
          name: 'args',
          required: true,
          schema: { properties: { a: { format: 'integer', type: 'integer' }, b: { format: 'integer', type: 'integer' } }, required: ['a'], type: 'object' },
        },
        { $ref: '#/parameters/preferParams' },
      ],
      produces: ['application/json', 'application/vnd.pgrst.object+json;nulls=stripped', 'application/vnd.pgrst.object+json'],
      responses: { '200': { description: 'OK' } },
    })
    expect(addThem.get!.parameters).toEqual([
      { format: 'integer', type: 'integer', in: 'query', name: 'a', required: true },
      { format: 'integer', type: 'integer', in: 'query', name: 'b', required: false },
    ])
    expect(Object.keys(body.paths['/rpc/bump']!)).toEqual(['post'])
    expect(body.paths['/rpc/hidden_fn']).toBeUndefined()
  })

  it('shares parameters: select, order, paging, preferences, row filters and bodies', async () => {
    const { parameters } = await doc(s)
    expect(parameters.select).toEqual({ description: 'Filtering Columns', in: 'query', name: 'select', required: false, type: 'string' })
    expect(parameters.rangeUnit).toEqual({
      default: 'items',
      description: 'Limiting and Pagination',
      in: 'header',
      name: 'Range-Unit',
      required: false,
      type: 'string',
    })
    expect(parameters['rowFilter.genres.name']).toEqual({
      description: 'The genre name',
      format: 'text',
      in: 'query',
      name: 'name',
      required: false,
      type: 'string',
    })
    expect(parameters['body.genres']).toEqual({
      description: 'genres',
      in: 'body',
      name: 'genres',
      required: false,
      schema: { $ref: '#/definitions/genres' },
    })
    for (const name of ['order', 'range', 'offset', 'limit', 'on_conflict', 'preferReturn', 'preferCount', 'preferPost', 'preferParams']) {
      expect(parameters[name], name).toBeDefined()
    }
  })

  it('shows everything with ignore-privileges', async () => {
    const body = await doc(ignoring)
    expect(Object.keys(body.paths['/secrets']!).sort()).toEqual(['delete', 'get', 'patch', 'post'])
    expect(body.definitions.secrets).toEqual({
      properties: {
        id: { description: 'Note:\nThis is a Primary Key.<pk/>', format: 'integer', type: 'integer' },
        secret: { default: 'shh', format: 'text', type: 'string' },
        created_at: { default: 'now()', format: 'timestamp with time zone', type: 'string' },
      },
      required: ['id'],
      type: 'object',
    })
    expect(body.paths['/rpc/hidden_fn']).toBeDefined()
  })
})

describe.each(backends)('OpenAPI disabled on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend, { openApiMode: 'disabled' })
  })
  afterAll(async () => s?.close())

  it('answers 404 PGRST126', async () => {
    for (const path of ['/', '/openapi.json']) {
      const res = await s.request(path)
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual({ code: 'PGRST126', details: null, hint: null, message: 'Root endpoint metadata is disabled' })
    }
  })
})
