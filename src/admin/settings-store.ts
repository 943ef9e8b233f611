/**
 * Per-database settings, stored in the database itself (`data_api.settings`: key text, value jsonb),
 * so every server process serving the database agrees. Every write notifies them all
 * (`NOTIFY data_api, 'reload config'`, delivered on commit); what the values mean and which one wins
 * is src/config's business (settings-catalog.ts, resolve-config.ts).
 */
import type { Database } from '../db/database.js'

/** Every stored setting, by key; empty when data_api.settings does not exist (yet). */
export async function readSettings(db: Database): Promise<Record<string, unknown>> {
  try {
    const rows = await db.query<{ key: string; value: unknown }>('select key, value from data_api.settings order by key')
    return Object.fromEntries(rows.map((r) => [r.key, r.value]))
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code === '42P01' || code === '3F000') return {}
    throw err
  }
}

import { quoteLiteral } from '../sql/fragment.js'

/** A SQL string literal that survives any content (the SQL door's quoteLiteral, under the name admin uses). */
export const sqlLiteral = quoteLiteral

/**
 * Statements that store a patch, for scripts that must run in one transaction with other
 * statements (enabling a database): a value upserts its key (a row whose value is unchanged is left
 * alone, updated_at included), `undefined` leaves it, and keys in `remove` are deleted.
 */
export function settingsStatements(patch: Readonly<Record<string, unknown>>, remove: readonly string[] = []): string {
  const statements: string[] = []
  for (const key of remove) if (patch[key] === undefined) statements.push(`DELETE FROM data_api.settings WHERE key = ${sqlLiteral(key)};`)
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue
    statements.push(
      `INSERT INTO data_api.settings (key, value) VALUES (${sqlLiteral(key)}, ${sqlLiteral(JSON.stringify(value))}::jsonb)
  ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now()
  WHERE data_api.settings.value IS DISTINCT FROM excluded.value;`,
    )
  }
  return statements.join('\n')
}

/** Tells every server serving this database to re-read its settings (delivered on commit). */
export const RELOAD_CONFIG = `NOTIFY data_api, 'reload config';`

const WRITE = `
with patch as (select key, value from jsonb_each($1::jsonb)),
removed as (
  delete from data_api.settings s
  where s.key = any($2::text[]) and not exists (select from patch p where p.key = s.key)
  returning 1),
stored as (
  insert into data_api.settings (key, value) select key, value from patch
  on conflict (key) do update set value = excluded.value, updated_at = now()
  where data_api.settings.value is distinct from excluded.value
  returning 1)
select pg_notify('data_api', 'reload config') as notified`

/**
 * Stores a patch and removes the keys in `remove` (that the patch does not set), in one statement,
 * and notifies every server. Values are not checked here: the caller validated them
 * (resolve-config.ts patchProblems).
 */
export async function writeSettings(db: Database, patch: Readonly<Record<string, unknown>>, remove: readonly string[] = []): Promise<void> {
  const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined))
  await db.query(WRITE, [JSON.stringify(defined), [...remove]])
}
