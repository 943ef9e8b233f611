/**
 * The settings a request's transaction runs with beyond search_path, role and request.*: in order,
 * the role's own settings (ALTER ROLE ... SET, which SET ROLE alone does not apply) or else the
 * server's statement_timeout, a checked `Prefer: timezone=`, the called function's hoisted settings
 * and app.settings.* (PostgREST's txVarQuery order). One value per name: a function's hoisted
 * statement_timeout replaces the role's, which replaces the server's, so only one set_config is sent.
 */
import type { ActionPlan } from './plan/types.js'

export type Setting = readonly [string, string]

export type TransactionSettingsInput = Readonly<{
  plan: ActionPlan
  /** the role's own settings, from the schema cache */
  roleSettings: readonly Setting[] | undefined
  /** db_statement_timeout, ms; 0 = none set */
  statementTimeoutMs: number
  /** app.settings.*, already prefixed */
  appSettings: readonly Setting[]
}>

export function transactionSettings({ plan, roleSettings, statementTimeoutMs, appSettings }: TransactionSettingsInput): Setting[] {
  const hoisted = plan.transaction.settings
  const out: Setting[] = []
  let timeout = statementTimeoutMs > 0 ? String(statementTimeoutMs) : undefined
  if (roleSettings) {
    for (const s of roleSettings) {
      if (s[0] === 'statement_timeout') timeout = s[1]
      else if (!hoisted.some((h) => h[0] === s[0])) out.push(s)
    }
  }
  if (timeout !== undefined && !hoisted.some((h) => h[0] === 'statement_timeout')) out.push(['statement_timeout', timeout])
  if ('timezone' in plan && plan.timezone !== undefined) out.push(['timezone', plan.timezone])
  for (const s of hoisted) out.push(s)
  for (const s of appSettings) out.push(s)
  return out
}
