/**
 * The database advisor's checks: each a catalog query that finds one kind of problem, with its
 * level, what it means, and the SQL that fixes each finding. The queries take the exposed schemas
 * as $1 (text[]).
 */
export type AdvisorLevel = 'INFO' | 'WARN' | 'ERROR'
export type AdvisorCategory = 'SECURITY' | 'PERFORMANCE'

/**
 * One finding: the object's schema and name, and the same quoted the way PostgreSQL prints names
 * (quote_ident: only where needed), for the SQL that fixes it.
 */
export type Finding = Readonly<{
  schema: string
  name: string
  /** `public.items`, `"My Schema"."user"` */
  qualified: string
  /** a policy's name, or the tables a finding lists */
  extra: string | null
  /** extra, quoted for SQL */
  qextra: string | null
  /** a function's argument types */
  args: string | null
  /** the schema, quoted (functions) */
  qschema?: string
}>

export type AdvisorCheck = Readonly<{
  name: string
  title: string
  level: AdvisorLevel
  facing: 'EXTERNAL' | 'INTERNAL'
  categories: readonly AdvisorCategory[]
  description: string
  query: string
  detail: (f: Finding) => string
  fix: (f: Finding) => string
}>

const rel = (f: Finding) => f.qualified
const shown = (f: Finding) => `\`${f.schema}.${f.name}\``

const TABLES_IN_EXPOSED = `from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p') and n.nspname = any($1::text[])`

export const ADVISOR_CHECKS: readonly AdvisorCheck[] = [
  {
    name: 'rls_disabled_in_public',
    title: 'RLS Disabled in Public',
    level: 'ERROR',
    facing: 'EXTERNAL',
    categories: ['SECURITY'],
    description:
      'A table in a schema the Data API exposes has row-level security disabled: every role granted access to it reads and changes all of its rows.',
    query: `select n.nspname::text as schema, c.relname::text as name, quote_ident(n.nspname) || '.' || quote_ident(c.relname) as qualified, null as extra, null as qextra, null as args ${TABLES_IN_EXPOSED} and not c.relrowsecurity order by 1, 2`,
    detail: (f) => `Table ${shown(f)} is public, but RLS has not been enabled.`,
    fix: (f) => `ALTER TABLE ${rel(f)} ENABLE ROW LEVEL SECURITY;`,
  },
  {
    name: 'policy_exists_rls_disabled',
    title: 'Policy Exists RLS Disabled',
    level: 'ERROR',
    facing: 'EXTERNAL',
    categories: ['SECURITY'],
    description: 'A table has policies, but row-level security is disabled, so the policies are not applied.',
    query: `select n.nspname::text as schema, c.relname::text as name, quote_ident(n.nspname) || '.' || quote_ident(c.relname) as qualified,
      (select string_agg(p.polname, ', ' order by p.polname) from pg_policy p where p.polrelid = c.oid) as extra, null as qextra, null as args
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and not c.relrowsecurity and exists (select from pg_policy p where p.polrelid = c.oid)
        and n.nspname not like 'pg\\_%' and n.nspname <> 'information_schema' order by 1, 2`,
    detail: (f) => `Table ${shown(f)} has policies (${f.extra}) but row-level security is disabled.`,
    fix: (f) => `ALTER TABLE ${rel(f)} ENABLE ROW LEVEL SECURITY;`,
  },
  {
    name: 'rls_enabled_no_policy',
    title: 'RLS Enabled No Policy',
    level: 'INFO',
    facing: 'EXTERNAL',
    categories: ['SECURITY'],
    description: 'A table has row-level security enabled but no policy: no request role sees or changes any row.',
    query: `select n.nspname::text as schema, c.relname::text as name, quote_ident(n.nspname) || '.' || quote_ident(c.relname) as qualified, null as extra, null as qextra, null as args ${TABLES_IN_EXPOSED}
      and c.relrowsecurity and not exists (select from pg_policy p where p.polrelid = c.oid) order by 1, 2`,
    detail: (f) => `Table ${shown(f)} has RLS enabled, but no policies exist.`,
    fix: (f) =>
      `-- allow what each role should do, for instance:\nCREATE POLICY "read own rows" ON ${rel(f)} FOR SELECT TO authenticated USING ((select auth.user_id()) = user_id);`,
  },
  {
    name: 'rls_policy_always_true',
    title: 'RLS Policy Always True',
    level: 'WARN',
    facing: 'EXTERNAL',
    categories: ['SECURITY'],
    description:
      'A policy that lets a role insert, update or delete every row (USING (true) or WITH CHECK (true)) makes row-level security pointless for that command.',
    query: `select n.nspname::text as schema, c.relname::text as name, quote_ident(n.nspname) || '.' || quote_ident(c.relname) as qualified, p.polname::text as extra, quote_ident(p.polname) as qextra, null as args
      from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = any($1::text[]) and p.polcmd <> 'r'
        and (pg_get_expr(p.polqual, p.polrelid) = 'true' or pg_get_expr(p.polwithcheck, p.polrelid) = 'true')
      order by 1, 2, 3`,
    detail: (f) => `Policy "${f.extra}" on ${shown(f)} allows every row for a command that changes data.`,
    fix: (f) => `DROP POLICY ${f.qextra} ON ${rel(f)};\n-- then create one that checks the row, e.g. USING ((select auth.user_id()) = user_id)`,
  },
  {
    name: 'security_definer_view',
    title: 'Security Definer View',
    level: 'ERROR',
    facing: 'EXTERNAL',
    categories: ['SECURITY'],
    description:
      'A view in an exposed schema runs with its owner’s privileges (not security_invoker), so it bypasses the row-level security of the tables it reads.',
    query: `select n.nspname::text as schema, c.relname::text as name, quote_ident(n.nspname) || '.' || quote_ident(c.relname) as qualified, null as extra, null as qextra, null as args
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'v' and n.nspname = any($1::text[])
        and not coalesce(c.reloptions @> array['security_invoker=true'] or c.reloptions @> array['security_invoker=on'], false)
      order by 1, 2`,
    detail: (f) => `View ${shown(f)} is defined with the view owner's privileges (security definer).`,
    fix: (f) => `ALTER VIEW ${rel(f)} SET (security_invoker = on);`,
  },
  {
    name: 'auth_users_exposed',
    title: 'Auth Users Exposed',
    level: 'ERROR',
    facing: 'EXTERNAL',
    categories: ['SECURITY'],
    description: 'A view in an exposed schema reads the built-in auth service’s users (neon_auth."user"), which may expose their emails to API clients.',
    query: `select distinct n.nspname::text as schema, c.relname::text as name, quote_ident(n.nspname) || '.' || quote_ident(c.relname) as qualified, null as extra, null as qextra, null as args
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      join pg_rewrite r on r.ev_class = c.oid join pg_depend d on d.objid = r.oid and d.classid = 'pg_rewrite'::regclass
      join pg_class u on u.oid = d.refobjid join pg_namespace un on un.oid = u.relnamespace
      where c.relkind in ('v', 'm') and n.nspname = any($1::text[]) and un.nspname = 'neon_auth' and u.relname = 'user'
      order by 1, 2`,
    detail: (f) => `View ${shown(f)} exposes users of the built-in auth service (neon_auth."user").`,
    fix: (f) => `REVOKE ALL ON ${rel(f)} FROM anonymous, authenticated;`,
  },
  {
    name: 'function_search_path_mutable',
    title: 'Function Search Path Mutable',
    level: 'WARN',
    facing: 'EXTERNAL',
    categories: ['SECURITY'],
    description: 'A function in an exposed schema resolves names with the caller’s search_path, which a caller can point at objects of its own.',
    query: `select n.nspname::text as schema, p.proname::text as name, quote_ident(n.nspname) || '.' || quote_ident(p.proname) as qualified, null as extra, null as qextra, pg_get_function_identity_arguments(p.oid) as args, quote_ident(n.nspname) as qschema
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = any($1::text[]) and p.prokind in ('f', 'p')
        and not exists (select from pg_depend d where d.objid = p.oid and d.deptype = 'e')
        and not coalesce(exists (select from unnest(p.proconfig) s where s like 'search\\_path=%'), false)
      order by 1, 2, 4`,
    detail: (f) => `Function ${shown(f)}(${f.args}) has a role mutable search_path.`,
    fix: (f) => `ALTER FUNCTION ${rel(f)}(${f.args}) SET search_path = pg_catalog, ${f.qschema};`,
  },
  {
    name: 'auth_rls_initplan',
    title: 'Auth RLS Initialization Plan',
    level: 'WARN',
    facing: 'EXTERNAL',
    categories: ['PERFORMANCE'],
    description:
      'A policy calls auth.user_id() (or auth.jwt(), auth.uid()) directly, so it runs once per row; wrapped in a select it runs once per query.',
    query: `select n.nspname::text as schema, c.relname::text as name, quote_ident(n.nspname) || '.' || quote_ident(c.relname) as qualified, p.polname::text as extra, quote_ident(p.polname) as qextra, null as args
      from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = any($1::text[])
        -- what is left of the policy once every call wrapped on its own, ( SELECT auth.user_id() AS user_id), is taken out
        and regexp_replace(coalesce(pg_get_expr(p.polqual, p.polrelid), '') || ' ' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), ''),
              '\\(\\s*select\\s+auth\\.(user_id|uid|jwt|session)\\(\\)(\\s+as\\s+\\w+)?\\s*\\)', '', 'gi')
            ~ 'auth\\.(user_id|uid|jwt|session)\\(\\)'
      order by 1, 2, 3`,
    detail: (f) => `Policy "${f.extra}" on ${shown(f)} re-evaluates an auth.*() call for each row.`,
    fix: (f) => `-- wrap the call in a select, e.g.\nALTER POLICY ${f.qextra} ON ${rel(f)} USING ((select auth.user_id()) = user_id);`,
  },
  {
    name: 'no_primary_key',
    title: 'No Primary Key',
    level: 'INFO',
    facing: 'EXTERNAL',
    categories: ['PERFORMANCE'],
    description: 'A table without a primary key cannot be upserted or updated with PUT, and is slow to replicate.',
    // extra: 'id' when the table already has a column of that name, which the fix then makes the key
    query: `select n.nspname::text as schema, c.relname::text as name, quote_ident(n.nspname) || '.' || quote_ident(c.relname) as qualified,
        (select 'id' from pg_attribute a where a.attrelid = c.oid and a.attname = 'id' and a.attnum > 0 and not a.attisdropped) as extra, null as qextra, null as args ${TABLES_IN_EXPOSED}
      and not exists (select from pg_constraint k where k.conrelid = c.oid and k.contype = 'p') order by 1, 2`,
    detail: (f) => `Table ${shown(f)} does not have a primary key.`,
    fix: (f) =>
      f.extra === 'id' ? `ALTER TABLE ${rel(f)} ADD PRIMARY KEY (id);` : `ALTER TABLE ${rel(f)} ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;`,
  },
]

export const LEVEL_RANK: Readonly<Record<AdvisorLevel, number>> = { INFO: 0, WARN: 1, ERROR: 2 }
