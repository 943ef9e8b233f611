/**
 * PGlite is one backend session, shared by the API and every wire client. What one party SETs at
 * session level (search_path, role, DateStyle, statement_timeout, default_transaction_read_only, the
 * options of a startup packet...) must not leak into the others. So when a wire client gives the
 * instance back, the settings that differ from the API's baseline are kept as that client's, and the
 * baseline is put back; when the client next gets the instance, its settings are applied again.
 */
import type { PGliteInterface } from '@electric-sql/pglite'

/** name → value; session_authorization and role come first, so a role is set as the right user. */
export type SessionSettings = ReadonlyMap<string, string>

// session_user, not current_setting('session_authorization'): PGlite starts with an empty one,
// which cannot be set back (and RESET SESSION AUTHORIZATION does not return to postgres there)
const SETTINGS_SQL = `
select 'session_authorization' as name, session_user::text as setting
union all
select 'role', current_setting('role')
union all
select name, setting from pg_settings
where context in ('user', 'superuser')
  and name not in ('transaction_isolation', 'transaction_read_only', 'transaction_deferrable', 'session_authorization', 'role')`

const APPLY_SQL = `select set_config(u.name, u.setting, false) from unnest($1::text[], $2::text[]) with ordinality as u(name, setting, n) order by u.n`

export async function readSettings(pglite: PGliteInterface): Promise<SessionSettings> {
  const { rows } = await pglite.query<{ name: string; setting: string | null }>(SETTINGS_SQL)
  return new Map(rows.map((r) => [r.name, r.setting ?? '']))
}

/** The settings in `current` whose values differ from `baseline`. */
export function changedSettings(current: SessionSettings, baseline: SessionSettings): SessionSettings {
  const changed = new Map<string, string>()
  for (const [name, value] of current) if (baseline.get(name) !== value) changed.set(name, value)
  return changed
}

/** Applies settings at session level; one that cannot be applied any more (a dropped role) is skipped. */
export async function applySettings(pglite: PGliteInterface, settings: SessionSettings): Promise<void> {
  if (settings.size === 0) return
  const names = [...settings.keys()]
  const values = [...settings.values()]
  try {
    await pglite.query(APPLY_SQL, [names, values])
  } catch {
    for (let i = 0; i < names.length; i++) await pglite.query(APPLY_SQL, [[names[i]], [values[i]]]).catch(() => undefined)
  }
}

/**
 * Takes a wire client's settings off the session: returns what it changed against the baseline, and
 * puts the baseline's values back.
 */
export async function takeSettings(pglite: PGliteInterface, baseline: SessionSettings): Promise<SessionSettings> {
  const changed = changedSettings(await readSettings(pglite), baseline)
  const restore = new Map<string, string>()
  for (const name of changed.keys()) restore.set(name, baseline.get(name) ?? '')
  await applySettings(pglite, restore)
  return changed
}
