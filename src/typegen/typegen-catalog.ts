/**
 * What type generation needs beyond the schema cache: identity and generated columns, the enums,
 * composite types and domains that columns and functions name, and the output columns of functions
 * returning a row of their own (RETURNS TABLE, OUT parameters). One statement; its one row holds
 * JSON built by Postgres, so both backends return the same values.
 *
 * Type names are rendered exactly as the schema cache renders them (schema-qualified unless in
 * pg_catalog), so the two can be joined on them.
 */
import { z } from 'zod'

const typeText = (type: string, namespace: string) => `case when ${namespace}.nspname = 'pg_catalog' or not pg_type_is_visible(${type}.oid)
    then format_type(${type}.oid, null)
    else quote_ident(${namespace}.nspname) || '.' || format_type(${type}.oid, null) end`

/** $1: the schemas to generate, as text[]. */
export const TYPEGEN_SQL = `
select
  (select coalesce(json_agg(json_build_object(
      'schema', n.nspname, 'table', c.relname, 'column', a.attname,
      'identity', a.attidentity::text, 'generated', a.attgenerated::text)
    order by n.nspname, c.relname, a.attnum), '[]'::json)
   from pg_attribute a
   join pg_class c on c.oid = a.attrelid
   join pg_namespace n on n.oid = c.relnamespace
   where n.nspname = any($1::text[])
     and a.attnum > 0 and not a.attisdropped
     and (a.attidentity <> '' or a.attgenerated <> '')
  ) as columns,
  (select coalesce(json_agg(json_build_object(
      'key', ${typeText('t', 'n')},
      'schema', n.nspname,
      'name', t.typname,
      'kind', case when t.typtype = 'e' then 'enum' when t.typtype = 'd' then 'domain'
                   when r.relkind = 'c' then 'composite' else 'row' end,
      'labels', (select coalesce(json_agg(e.enumlabel order by e.enumsortorder), '[]'::json) from pg_enum e where e.enumtypid = t.oid),
      'base', case when t.typtype = 'd' then (select ${typeText('b', 'bn')} from pg_type b join pg_namespace bn on bn.oid = b.typnamespace where b.oid = t.typbasetype) end,
      'attributes', (select coalesce(json_agg(json_build_object('name', a.attname, 'type', ${typeText('at', 'atn')}) order by a.attnum), '[]'::json)
                     from pg_attribute a
                     join pg_type at on at.oid = a.atttypid
                     join pg_namespace atn on atn.oid = at.typnamespace
                     where r.relkind = 'c' and a.attrelid = r.oid and a.attnum > 0 and not a.attisdropped)
    ) order by n.nspname, t.typname), '[]'::json)
   from pg_type t
   join pg_namespace n on n.oid = t.typnamespace
   left join pg_class r on r.oid = t.typrelid
   where n.nspname not in ('pg_catalog', 'information_schema') and left(n.nspname, 3) <> 'pg_'
     and (t.typtype in ('e', 'd') or (t.typtype = 'c' and r.relkind in ('c', 'r', 'v', 'm', 'f', 'p')))
  ) as types,
  (select coalesce(json_agg(json_build_object(
      'schema', n.nspname, 'name', p.proname,
      'inputs', (select coalesce(json_agg(${typeText('it', 'itn')} order by u.ord), '[]'::json)
                 from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) with ordinality u(type_oid, ord)
                 join pg_type it on it.oid = u.type_oid
                 join pg_namespace itn on itn.oid = it.typnamespace
                 where coalesce(p.proargmodes[u.ord], 'i') in ('i', 'b', 'v')),
      'outputs', (select coalesce(json_agg(json_build_object('name', coalesce(p.proargnames[u.ord], ''), 'type', ${typeText('ot', 'otn')}) order by u.ord), '[]'::json)
                  from unnest(p.proallargtypes) with ordinality u(type_oid, ord)
                  join pg_type ot on ot.oid = u.type_oid
                  join pg_namespace otn on otn.oid = ot.typnamespace
                  where p.proargmodes[u.ord] in ('o', 'b', 't'))
    ) order by n.nspname, p.proname, p.oid), '[]'::json)
   from pg_proc p
   join pg_namespace n on n.oid = p.pronamespace
   where n.nspname = any($1::text[]) and p.prokind = 'f' and p.proargmodes is not null
  ) as functions
`

const rawColumnFlags = z.object({
  schema: z.string(),
  table: z.string(),
  column: z.string(),
  /** 'a' GENERATED ALWAYS AS IDENTITY, 'd' BY DEFAULT, '' none */
  identity: z.string(),
  /** 's' GENERATED ALWAYS AS (...) STORED, '' none */
  generated: z.string(),
})

const rawUserType = z.object({
  key: z.string(),
  schema: z.string(),
  name: z.string(),
  kind: z.enum(['enum', 'domain', 'composite', 'row']),
  labels: z.array(z.string()),
  base: z.string().nullable(),
  attributes: z.array(z.object({ name: z.string(), type: z.string() })),
})

const rawFunctionOutputs = z.object({
  schema: z.string(),
  name: z.string(),
  inputs: z.array(z.string()),
  outputs: z.array(z.object({ name: z.string(), type: z.string() })),
})

export type ColumnFlags = z.infer<typeof rawColumnFlags>
export type UserType = z.infer<typeof rawUserType>
export type FunctionOutputs = z.infer<typeof rawFunctionOutputs>

export type TypegenCatalog = Readonly<{
  columns: readonly ColumnFlags[]
  types: readonly UserType[]
  functions: readonly FunctionOutputs[]
}>

const typegenRow = z.object({
  columns: z.array(rawColumnFlags),
  types: z.array(rawUserType),
  functions: z.array(rawFunctionOutputs),
})

/** Decodes the statement's one row (json columns arrive parsed, or as text from some drivers). */
export function decodeTypegenRow(row: Readonly<Record<string, unknown>> | undefined): TypegenCatalog {
  const parse = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value)
  const result = typegenRow.safeParse({ columns: parse(row?.columns), types: parse(row?.types), functions: parse(row?.functions) })
  if (!result.success) throw new Error(`type generation: unexpected shape of the catalog row: ${result.error.message}`)
  return result.data
}
