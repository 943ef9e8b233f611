/**
 * Stage 3 (build SQL). What the OpenAPI document needs from the database, asked as the request role
 * (the env statement has set it): the schema's comment and, per table/view and function of the
 * schema, whether the role may use it. One row, one JSON value in `body`.
 */
import type { OpenApiPlan } from '../plan/types.js'
import { sql, type Sql } from '../../sql/fragment.js'

export function openApiStatement(plan: OpenApiPlan): Sql {
  const may = (privilege: string, columns: boolean) =>
    columns
      ? sql`(usable and (has_table_privilege(c.oid, ${privilege}) or has_any_column_privilege(c.oid, ${privilege})))`
      : sql`(usable and has_table_privilege(c.oid, ${privilege}))`
  return sql`SELECT json_build_object(
  'description', obj_description(n.oid, 'pg_namespace'),
  'tables', coalesce((SELECT json_object_agg(c.relname, json_build_object('select', ${may('SELECT', true)}, 'insert', ${may('INSERT', true)}, 'update', ${may('UPDATE', true)}, 'delete', ${may('DELETE', false)}))
    FROM pg_catalog.pg_class c WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'v', 'm', 'f', 'p')), '{}'),
  'functions', coalesce((SELECT json_agg(DISTINCT p.proname) FROM pg_catalog.pg_proc p
    WHERE p.pronamespace = n.oid AND usable AND has_function_privilege(p.oid, 'EXECUTE')), '[]')
)::text AS body, nullif(current_setting('response.headers', true), '') AS response_headers, nullif(current_setting('response.status', true), '') AS response_status
FROM pg_catalog.pg_namespace n, LATERAL (SELECT has_schema_privilege(n.oid, 'USAGE') AS usable) u
WHERE n.nspname = ${plan.schema}`
}
