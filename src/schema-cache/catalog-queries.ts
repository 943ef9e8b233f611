/**
 * Schema cache: the catalog queries. Each query returns one row
 * whose columns are JSON built by Postgres, so PGlite and node-postgres hand back identical values
 * (they disagree on bigint, oid and numeric columns, but both parse json the same way).
 * Nothing here interprets the rows (their shapes: catalog-shapes.ts); load-schema-cache.ts assembles
 * them purely.
 *
 * Every query takes one parameter, $1: the exposed schemas as text[].
 */

/**
 * SQL for a type's display name: `format_type`, schema-qualified unless the type lives in
 * pg_catalog. format_type alone qualifies only types not on the search_path, which would make the
 * cache depend on the connecting role's search_path (PostgREST empties search_path for the same reason).
 */
function typeText(type: string, namespace: string, typmod: string): string {
  return `case when ${namespace}.nspname = 'pg_catalog' or not pg_type_is_visible(${type}.oid)
    then format_type(${type}.oid, ${typmod})
    else quote_ident(${namespace}.nspname) || '.' || format_type(${type}.oid, ${typmod}) end`
}

/**
 * Every domain with the non-domain type at the bottom of its chain (domains over domains take
 * several steps), that step's typmod (a domain over varchar(20) keeps the 20 there) and whether
 * any domain in the chain is NOT NULL.
 */
const DOMAIN_BASE_CTES = `
  domain_chain (domain_oid, base_oid, base_typmod, not_null) as (
    select t.oid, t.typbasetype, t.typtypmod, t.typnotnull
    from pg_type t
    where t.typtype = 'd'
    union all
    select c.domain_oid, t.typbasetype, t.typtypmod, c.not_null or t.typnotnull
    from domain_chain c
    join pg_type t on t.oid = c.base_oid
    where t.typtype = 'd'
  ),
  domain_base as (
    select c.domain_oid, c.base_oid, c.base_typmod, c.not_null
    from domain_chain c
    join pg_type t on t.oid = c.base_oid
    where t.typtype <> 'd'
  )`

const EXPOSED_RELATIONS_CTE = `
  exposed as (
    select c.oid, c.relkind, n.nspname, c.relname
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = any($1::text[])
      and c.relkind in ('r', 'v', 'm', 'f', 'p')
      and not c.relispartition
  )`

/** Tables, views, materialized views, foreign and partitioned tables of the exposed schemas, with their columns. */
export const RELATIONS_SQL = `
with recursive
${DOMAIN_BASE_CTES},
${EXPOSED_RELATIONS_CTE},
columns as (
  select
    a.attrelid,
    json_agg(json_build_object(
      'num', a.attnum,
      'name', a.attname,
      'type', ${typeText('t', 'tn', 'a.atttypmod')},
      'baseType', ${typeText('bt', 'btn', 'null')},
      'nullable', not (a.attnotnull or coalesce(db.not_null, false)),
      'default', case
        -- identity columns have no pg_attrdef row; show the sequence they draw from
        when a.attidentity <> '' then (
          select format('nextval(%L::regclass)', quote_ident(sn.nspname) || '.' || quote_ident(s.relname))
          from pg_depend d
          join pg_class s on s.oid = d.objid and s.relkind = 'S'
          join pg_namespace sn on sn.oid = s.relnamespace
          where d.classid = 'pg_class'::regclass
            and d.refclassid = 'pg_class'::regclass
            and d.refobjid = a.attrelid
            and d.refobjsubid = a.attnum
            and d.deptype = 'i'
          limit 1)
        -- a generated column's expression is not a default one could insert
        when a.attgenerated <> '' then null
        -- the column's own default wins over its domain's, as in PostgreSQL
        else coalesce(pg_get_expr(ad.adbin, ad.adrelid), pg_get_expr(t.typdefaultbin, 0))
      end,
      'maxLength', case
        when bt.oid in ('bpchar'::regtype, 'varchar'::regtype) and coalesce(db.base_typmod, a.atttypmod) >= 4
          then coalesce(db.base_typmod, a.atttypmod) - 4
        when bt.oid in ('bit'::regtype, 'varbit'::regtype) and coalesce(db.base_typmod, a.atttypmod) > 0
          then coalesce(db.base_typmod, a.atttypmod)
      end,
      'enumValues', coalesce(
        (select json_agg(e.enumlabel order by e.enumsortorder) from pg_enum e where e.enumtypid = bt.oid),
        '[]'::json),
      'description', col_description(a.attrelid, a.attnum),
      'isJson', bt.oid in ('json'::regtype, 'jsonb'::regtype),
      'isTsvector', bt.oid = 'tsvector'::regtype,
      -- PostgREST's data representations: implicit casts between the column's domain and json/text
      'toJson', (select json_build_object('schema', cpn.nspname, 'name', cp.proname)
        from pg_cast ca join pg_proc cp on cp.oid = ca.castfunc join pg_namespace cpn on cpn.oid = cp.pronamespace
        where t.typtype = 'd' and ca.castcontext = 'i' and ca.castsource = t.oid and ca.casttarget = 'json'::regtype limit 1),
      'fromJson', (select json_build_object('schema', cpn.nspname, 'name', cp.proname)
        from pg_cast ca join pg_proc cp on cp.oid = ca.castfunc join pg_namespace cpn on cpn.oid = cp.pronamespace
        where t.typtype = 'd' and ca.castcontext = 'i' and ca.castsource = 'json'::regtype and ca.casttarget = t.oid limit 1),
      'fromText', (select json_build_object('schema', cpn.nspname, 'name', cp.proname)
        from pg_cast ca join pg_proc cp on cp.oid = ca.castfunc join pg_namespace cpn on cpn.oid = cp.pronamespace
        where t.typtype = 'd' and ca.castcontext = 'i' and ca.castsource = 'text'::regtype and ca.casttarget = t.oid limit 1)
    ) order by a.attnum) as columns
  from pg_attribute a
  join pg_type t on t.oid = a.atttypid
  join pg_namespace tn on tn.oid = t.typnamespace
  left join domain_base db on db.domain_oid = t.oid
  join pg_type bt on bt.oid = coalesce(db.base_oid, t.oid)
  join pg_namespace btn on btn.oid = bt.typnamespace
  left join pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
  where a.attrelid in (select oid from exposed)
    and a.attnum > 0
    and not a.attisdropped
  group by a.attrelid
)
select (
  -- roles that may read only some columns of a relation (column-level grants, no table-level
  -- SELECT), with those columns: their select=* reads just these
  select coalesce(json_agg(json_build_object('schema', e.nspname, 'table', e.relname, 'role', r.rolname, 'columns', g.columns)), '[]'::json)
  from exposed e
  cross join pg_roles r
  cross join lateral (
    select array_agg(a.attname::text order by a.attnum) as columns
    from pg_attribute a
    where a.attrelid = e.oid and a.attnum > 0 and not a.attisdropped and has_column_privilege(r.oid, e.oid, a.attnum, 'SELECT')
  ) g
  where exists (select from pg_attribute a where a.attrelid = e.oid and a.attacl is not null)
    and not r.rolsuper and not starts_with(r.rolname, 'pg_')
    and not has_table_privilege(r.oid, e.oid, 'SELECT') and g.columns is not null
) as column_grants,
coalesce(json_agg(json_build_object(
  'oid', e.oid::int8,
  'schema', e.nspname,
  'name', e.relname,
  'relkind', e.relkind,
  'description', obj_description(e.oid, 'pg_class'),
  -- bit mask of 1 << CmdType (4 update, 8 insert, 16 delete); tables are always writable
  'updatableMask', case
    when e.relkind = 'v' then pg_relation_is_updatable(e.oid::regclass, true)
    -- asking a foreign table whose wrapper has no handler raises an error: such a table is read-only
    when e.relkind = 'f' and exists (
      select from pg_foreign_table ft
      join pg_foreign_server s on s.oid = ft.ftserver
      join pg_foreign_data_wrapper w on w.oid = s.srvfdw
      where ft.ftrelid = e.oid and w.fdwhandler <> 0
    ) then pg_relation_is_updatable(e.oid::regclass, true)
  end,
  'columns', coalesce(c.columns, '[]'::json)
) order by e.nspname, e.relname), '[]'::json) as relations
from exposed e
left join columns c on c.attrelid = e.oid
`

/**
 * Key constraints and view definitions. Views are followed through their rewrite rules'
 * dependencies (pg_depend), so a view chain through a schema that is not exposed still resolves;
 * the constraints are those of exposed relations and of every relation such a view reads.
 */
export const KEYS_AND_VIEWS_SQL = `
with recursive
${EXPOSED_RELATIONS_CTE},
view_closure (oid) as (
  select oid from exposed where relkind in ('v', 'm')
  union
  select d.refobjid
  from view_closure v
  join pg_rewrite r on r.ev_class = v.oid
  join pg_depend d on d.classid = 'pg_rewrite'::regclass and d.objid = r.oid and d.refclassid = 'pg_class'::regclass
  join pg_class c on c.oid = d.refobjid and c.relkind in ('v', 'm')
),
relevant (oid) as (
  select oid from exposed
  union
  select d.refobjid
  from view_closure v
  join pg_rewrite r on r.ev_class = v.oid
  join pg_depend d on d.classid = 'pg_rewrite'::regclass and d.objid = r.oid and d.refclassid = 'pg_class'::regclass
),
key_constraints as (
  select con.*
  from pg_constraint con
  where con.contype in ('p', 'u', 'f')
    -- FKs cloned onto partitions (or onto each partition of a referenced partitioned table) repeat their parent's
    and (con.contype <> 'f' or con.conparentid = 0)
    and (con.conrelid in (select oid from relevant)
      or (con.contype = 'f' and con.confrelid in (select oid from relevant)))
)
select
  (select coalesce(json_agg(json_build_object(
      'name', con.conname,
      'type', con.contype,
      'relation', con.conrelid::int8,
      'schema', n.nspname,
      'table', c.relname,
      'columns', (
        select json_agg(json_build_object('num', a.attnum, 'name', a.attname) order by k.ord)
        from unnest(con.conkey) with ordinality k(num, ord)
        join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.num),
      'foreignRelation', con.confrelid::int8,
      'foreignSchema', fn.nspname,
      'foreignTable', fc.relname,
      'foreignColumns', coalesce((
        select json_agg(json_build_object('num', a.attnum, 'name', a.attname) order by k.ord)
        from unnest(con.confkey) with ordinality k(num, ord)
        join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.num), '[]'::json)
    ) order by n.nspname, c.relname, con.conname), '[]'::json)
   from key_constraints con
   join pg_class c on c.oid = con.conrelid
   join pg_namespace n on n.oid = c.relnamespace
   left join pg_class fc on fc.oid = con.confrelid
   left join pg_namespace fn on fn.oid = fc.relnamespace
  ) as constraints,
  (select coalesce(json_agg(json_build_object('oid', r.ev_class::int8, 'definition', r.ev_action::text)), '[]'::json)
   from view_closure v
   join pg_rewrite r on r.ev_class = v.oid and r.ev_type = '1'
  ) as views
`

/**
 * Functions of the exposed schemas (callability is filtered in TypeScript, where it is testable),
 * and computed-relationship candidates: one-argument functions from a row type of an exposed
 * relation to a row type of an exposed relation, in any schema (as PostgREST).
 */
export const ROUTINES_SQL = `
with recursive
${DOMAIN_BASE_CTES}
select
  (select coalesce(json_agg(json_build_object(
      'oid', p.oid::int8,
      'schema', n.nspname,
      'name', p.proname,
      'description', obj_description(p.oid, 'pg_proc'),
      -- all arguments (OUT and TABLE ones too when proallargtypes is set), aligned with argModes/argNames
      'argTypes', coalesce((
        select json_agg(${typeText('at', 'atn', 'null')} order by u.ord)
        from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) with ordinality u(type_oid, ord)
        join pg_type at on at.oid = u.type_oid
        join pg_namespace atn on atn.oid = at.typnamespace), '[]'::json),
      -- the same types written without a length (bpchar, "bit"): argument types carry none, and
      -- format_type's default length would make a cast to character cut the value to one character
      'argCastTypes', coalesce((
        select json_agg(${typeText('at', 'atn', '-1')} order by u.ord)
        from unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) with ordinality u(type_oid, ord)
        join pg_type at on at.oid = u.type_oid
        join pg_namespace atn on atn.oid = at.typnamespace), '[]'::json),
      'argModes', p.proargmodes,
      'argNames', p.proargnames,
      'inputArgCount', p.pronargs,
      'defaultCount', p.pronargdefaults,
      'setOf', p.proretset,
      'rows', p.prorows,
      'volatility', p.provolatile,
      'settings', p.proconfig,
      'returnType', ${typeText('rt', 'rtn', 'null')},
      -- a domain over a composite type returns rows of that composite
      'returnKind', case
        when rt.oid = 'void'::regtype then 'void'
        when bt.typtype = 'c' then 'composite'
        when bt.oid = 'record'::regtype then 'record'
        else 'scalar' end,
      'returnSchema', rcn.nspname,
      'returnName', rc.relname
    ) order by n.nspname, p.proname, p.oid), '[]'::json)
   from pg_proc p
   join pg_namespace n on n.oid = p.pronamespace
   join pg_type rt on rt.oid = p.prorettype
   join pg_namespace rtn on rtn.oid = rt.typnamespace
   left join domain_base db on db.domain_oid = rt.oid
   join pg_type bt on bt.oid = coalesce(db.base_oid, rt.oid)
   left join pg_class rc on rc.oid = bt.typrelid and bt.typtype = 'c'
   left join pg_namespace rcn on rcn.oid = rc.relnamespace
   where n.nspname = any($1::text[])
     and p.prokind = 'f'
     and p.prorettype not in ('trigger'::regtype, 'event_trigger'::regtype)
  ) as routines,
  (select coalesce(json_agg(json_build_object(
      'schema', n.nspname,
      'name', p.proname,
      'tableSchema', an.nspname,
      'tableName', ac.relname,
      'foreignSchema', rn.nspname,
      'foreignName', rc.relname,
      'setOf', p.proretset,
      'rows', p.prorows
    ) order by an.nspname, ac.relname, n.nspname, p.proname), '[]'::json)
   from pg_proc p
   join pg_namespace n on n.oid = p.pronamespace
   join pg_class ac on ac.reltype = p.proargtypes[0] and ac.relkind in ('r', 'v', 'm', 'f', 'p')
   join pg_namespace an on an.oid = ac.relnamespace
   join pg_class rc on rc.reltype = p.prorettype and rc.relkind in ('r', 'v', 'm', 'f', 'p')
   join pg_namespace rn on rn.oid = rc.relnamespace
   where p.pronargs = 1
     and p.prokind = 'f'
     and an.nspname = any($1::text[])
     and rn.nspname = any($1::text[])
  ) as computed,
  -- media type handlers (PostgREST's): domains named like a media type (or */*), returned by a
  -- one-argument aggregate over a relation's row type or anyelement (a handler for that relation or
  -- for all), or by a function (a handler for that function)
  (select coalesce(json_agg(json_build_object(
      'kind', h.kind,
      'schema', h.schema,
      'name', h.name,
      'targetSchema', h.target_schema,
      'targetName', h.target_name,
      'mediaType', h.media_type,
      'binary', h.is_binary
    ) order by h.target_schema, h.target_name, h.media_type, h.schema, h.name), '[]'::json)
   from (
     select 'aggregate' as kind, pn.nspname as schema, p.proname as name,
            case when at.oid = 'anyelement'::regtype then null else atn.nspname end as target_schema,
            case when at.oid = 'anyelement'::regtype then null else ac.relname end as target_name,
            lower(mt.typname) as media_type, db.base_oid = 'bytea'::regtype as is_binary
     from pg_proc p
     join pg_namespace pn on pn.oid = p.pronamespace
     join pg_aggregate agg on agg.aggfnoid = p.oid
     join pg_type mt on mt.oid = p.prorettype and mt.typtype = 'd'
     join domain_base db on db.domain_oid = mt.oid
     join pg_type at on at.oid = p.proargtypes[0]
     join pg_namespace atn on atn.oid = at.typnamespace
     left join pg_class ac on ac.reltype = at.oid and ac.relkind in ('r', 'v', 'm', 'f', 'p')
     where pn.nspname = any($1::text[]) and p.pronargs = 1
       and (mt.typname ~* '^[A-Za-z0-9.-]+/[A-Za-z0-9.+-]+$' or mt.typname = '*/*')
       and (at.oid = 'anyelement'::regtype or ac.oid is not null)
     union all
     select 'function', mtn.nspname, mt.typname, pn.nspname, p.proname,
            lower(mt.typname), db.base_oid = 'bytea'::regtype
     from pg_proc p
     join pg_namespace pn on pn.oid = p.pronamespace
     join pg_type mt on mt.oid = p.prorettype and mt.typtype = 'd'
     join pg_namespace mtn on mtn.oid = mt.typnamespace
     join domain_base db on db.domain_oid = mt.oid
     where pn.nspname = any($1::text[]) and p.prokind = 'f' and not p.proretset
       and (mt.typname ~* '^[A-Za-z0-9.-]+/[A-Za-z0-9.+-]+$' or mt.typname = '*/*')
   ) h
  ) as media_handlers
`

/**
 * The settings of each role in this database (`ALTER ROLE r IN DATABASE d SET ...`) or in all of
 * them (`ALTER ROLE r SET ...`), the former winning as at login. SET ROLE does not apply them, so
 * the request context does (PostgREST's impersonated-role settings). $1: the setting names wanted.
 */
export const ROLE_SETTINGS_SQL = `
select coalesce(json_agg(json_build_object('role', r.rolname, 'name', s.name, 'value', s.value) order by r.rolname, s.name), '[]') as role_settings
from (
  select distinct on (d.setrole, split_part(c.entry, '=', 1))
    d.setrole, split_part(c.entry, '=', 1) as name, substr(c.entry, strpos(c.entry, '=') + 1) as value
  from pg_catalog.pg_db_role_setting d
  cross join lateral unnest(d.setconfig) as c(entry)
  where d.setrole <> 0
    and d.setdatabase in (0, (select oid from pg_catalog.pg_database where datname = current_database()))
    and split_part(c.entry, '=', 1) = any($1::text[])
  order by d.setrole, split_part(c.entry, '=', 1), d.setdatabase desc
) s
join pg_catalog.pg_roles r on r.oid = s.setrole`
