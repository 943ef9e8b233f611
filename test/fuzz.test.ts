/**
 * Property: random text in any query parameter, header or path never makes the server answer 5xx,
 * and never leaves it unable to answer the next request.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

const chunk = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom('(', ')', ',', '.', ':', '"', '\\', '!', '->', '->>', '::', '*', 'eq.', 'not.', 'in.(', 'is.null', 'or(', 'and(', '{', '}', 'id', 'name', 'rel', 'inner', '%00', '%FF', '%', "'", ';', '--'),
)
const text = fc.array(chunk, { maxLength: 12 }).map((parts) => parts.join(''))
const key = fc.oneof(fc.constantFrom('select', 'order', 'limit', 'offset', 'or', 'and', 'not.or', 'columns', 'on_conflict', 'id', 'name', 'data', 'rel.id', 'rel.order', 'rel.limit'), text)

/** One code point as UTF-8 percent-escapes; a lone surrogate becomes the (invalid) bytes of one. */
function escape(c: string): string {
  try {
    return encodeURIComponent(c)
  } catch {
    return '%ED%A0%80'
  }
}

/** Percent-encode what fetch would refuse, but leave `%` sequences raw half the time to reach the decoder. */
function encode(s: string, raw: boolean): string {
  return s.replace(raw ? /[^\x21-\x7e]|[#&?]/gu : /[^A-Za-z0-9\-_.!~*'()]/gu, escape)
}

describe.each(backends)('fuzzed requests on %s', (backend) => {
  let s: TestServer
  beforeAll(async () => {
    s = await startTestServer(backend)
    await s.sql(`
      create table things (id int primary key, name text, data jsonb);
      create table rel (id int primary key, thing_id int references things(id));
      insert into things values (1, 'a', '{"k": 1}');
      grant usage on schema public to anonymous;
      grant select, insert, update, delete on things, rel to anonymous;`)
  })
  afterAll(async () => s?.close())

  it('never answers 5xx to random query parameters and headers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(key, text, fc.boolean()), { minLength: 1, maxLength: 4 }),
        fc.constantFrom('GET', 'HEAD', 'DELETE', 'PATCH', 'POST'),
        fc.record({ accept: text, prefer: text, range: text }, { requiredKeys: [] }),
        async (params, method, headers) => {
          const query = params.map(([k, v, raw]) => `${encode(k, raw)}=${encode(v, raw)}`).join('&')
          const h: Record<string, string> = { 'Content-Type': 'application/json' }
          for (const [name, value] of Object.entries(headers)) {
            const clean = value.replace(/[^\x20-\x7e]/g, '')
            if (clean !== '') h[name] = clean
          }
          const res = await s.request(`/things?${query}`, { method, headers: h, body: method === 'PATCH' || method === 'POST' ? '{"name":"z"}' : undefined })
          await res.arrayBuffer()
          expect(res.status, `${method} /things?${query} ${JSON.stringify(h)}`).toBeLessThan(500)
        },
      ),
      { numRuns: 150 },
    )
    const res = await s.request('/things?select=id')
    expect(res.status).toBe(200)
  })
})
