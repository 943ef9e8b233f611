import { describe, expect, it } from 'vitest'
import { fakeSchemaCache } from '../../../test/support/fake-schema-cache.js'
import { parseApiRequest } from '../api-request/parse-api-request.js'
import { planRead } from '../plan/plan-read.js'
import { compile } from '../../sql/fragment.js'
import { rootSelect } from './read-query.js'
import { readStatement } from './main-statement.js'
import { envStatement } from './env-statement.js'

function plan(path: string, query: string, headers: Record<string, string> = {}) {
  const request = parseApiRequest({ method: 'GET', path, query, headers, body: undefined }, { schemas: ['public'], allowTxOverride: false })
  return planRead(request, fakeSchemaCache, { maxRows: undefined, aggregatesEnabled: true, txEnd: 'commit' })
}

const rootSql = (path: string, query: string) => compile(rootSelect(plan(path, query).root))

describe('read queries', () => {
  it('selects columns from the aliased table with filters as parameters', () => {
    expect(rootSql('/things', 'select=id,name&id=gt.5&name=like.a*')).toEqual({
      text: 'SELECT "things"."id" AS "id", "things"."name" AS "name" FROM "public"."things" AS "things" WHERE "things"."id" > $1 AND "things"."name" like $2',
      values: ['5', 'a%'],
    })
  })

  it('binds JSON path keys as typed parameters and casts with CAST', () => {
    expect(rootSql('/things', 'select=data->a->>b,n:id::text&data->>k=eq.v')).toEqual({
      text: 'SELECT "things"."data"->$1::text->>$2::text AS "b", CAST("things"."id" AS text) AS "n" FROM "public"."things" AS "things" WHERE "things"."data"->>$3::text = $4',
      values: ['a', 'b', 'k', 'v'],
    })
  })

  it('sends in-lists as one array literal and keeps is-values as keywords', () => {
    expect(rootSql('/things', 'select=id&id=in.(1,"2,3")&name=not.is.null')).toEqual({
      text: 'SELECT "things"."id" AS "id" FROM "public"."things" AS "things" WHERE "things"."id" = ANY ($1) AND NOT "things"."name" IS NULL',
      values: ['{"1","2,3"}'],
    })
  })

  it('uses the tsvector column directly and to_tsvector for text', () => {
    expect(rootSql('/things', 'select=id&search=fts(english).cat&name=wfts.dog').text).toBe(
      'SELECT "things"."id" AS "id" FROM "public"."things" AS "things" WHERE "things"."search" @@ to_tsquery($1::regconfig, $2) AND to_tsvector("things"."name") @@ websearch_to_tsquery($3)',
    )
  })

  it('builds or/and trees with NOT', () => {
    expect(rootSql('/things', 'select=id&not.or=(id.eq.1,and(id.gt.5,name.is.null))')).toEqual({
      text: 'SELECT "things"."id" AS "id" FROM "public"."things" AS "things" WHERE NOT ("things"."id" = $1 OR ("things"."id" > $2 AND "things"."name" IS NULL))',
      values: ['1', '5'],
    })
  })

  it('orders and pages with literal counts, so Postgres can keep a generic plan', () => {
    expect(rootSql('/things', 'select=id&order=name.desc.nullslast,id&limit=10&offset=20')).toEqual({
      text: 'SELECT "things"."id" AS "id" FROM "public"."things" AS "things" ORDER BY "things"."name" DESC NULLS LAST, "things"."id" LIMIT 10 OFFSET 20',
      values: [],
    })
  })

  it('leaves a count past 2^53 a parameter, which PostgreSQL refuses as before', () => {
    expect(rootSql('/things', 'select=id&limit=100000000000000000000')).toEqual({
      text: 'SELECT "things"."id" AS "id" FROM "public"."things" AS "things" LIMIT $1::bigint',
      values: [1e20],
    })
  })

  it('embeds one-to-many children through a lateral json_agg', () => {
    expect(rootSql('/things', 'select=id,parts(label)&parts.order=id').text).toBe(
      'SELECT "things"."id" AS "id", COALESCE("things_parts_2"."pgrst_json", \'[]\') AS "parts" FROM "public"."things" AS "things" LEFT JOIN LATERAL (SELECT CASE WHEN count(*) > 0 THEN true END AS "pgrst_present", json_agg("pgrst_sub")::jsonb AS "pgrst_json" FROM (SELECT "parts_1"."label" AS "label" FROM "public"."parts" AS "parts_1" WHERE "parts_1"."thing_id" = "things"."id" ORDER BY "parts_1"."id") AS "pgrst_sub") AS "things_parts_2" ON TRUE',
    )
  })

  it('embeds a many-to-one parent as an object, inner-joined on request', () => {
    expect(rootSql('/parts', 'select=label,things!inner(name)').text).toBe(
      'SELECT "parts"."label" AS "label", "parts_things_2"."pgrst_json" AS "things" FROM "public"."parts" AS "parts" INNER JOIN LATERAL (SELECT true AS "pgrst_present", row_to_json("pgrst_sub".*)::jsonb AS "pgrst_json", "pgrst_sub".* FROM (SELECT "things_1"."name" AS "name" FROM "public"."things" AS "things_1" WHERE "things_1"."id" = "parts"."thing_id") AS "pgrst_sub") AS "parts_things_2" ON "parts_things_2"."pgrst_present"',
    )
  })

  it('wraps the root in the statement that builds the body, counting on request', () => {
    const p = plan('/things', 'select=id', { prefer: 'count=exact' })
    expect(compile(readStatement(p)).text).toBe(
      'WITH "pgrst_source" AS (SELECT "things"."id" AS "id" FROM "public"."things" AS "things") SELECT (SELECT pg_catalog.count(*) FROM (SELECT 1 FROM "public"."things" AS "things") pgrst_source_count)::text AS total, pg_catalog.count("_postgrest_t")::text AS page_total, coalesce(json_agg("_postgrest_t"), \'[]\')::text AS body, nullif(current_setting(\'response.headers\', true), \'\') AS response_headers, nullif(current_setting(\'response.status\', true), \'\') AS response_status FROM (SELECT * FROM "pgrst_source") "_postgrest_t"',
    )
  })
})

describe('the request context statement', () => {
  it('has one text for every request and carries the context as parameters', () => {
    const a = envStatement({ schema: 'api', extraSearchPath: ['public'], role: 'authenticated', claims: { sub: 'u1' }, method: 'GET', path: '/t', headers: { 'user-agent': 'x' }, cookies: {} })
    const b = envStatement({ schema: 'public', extraSearchPath: ['public'], role: 'anonymous', claims: { role: 'anonymous' }, method: 'POST', path: '/u', headers: {}, cookies: { c: '1' } })
    expect(a.text).toBe(b.text)
    expect(a.values).toEqual(['"api", "public"', 'authenticated', '{"sub":"u1"}', 'GET', '/t', '{"user-agent":"x"}', '{}'])
  })
})
