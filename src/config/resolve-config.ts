/**
 * The effective configuration of one database: the catalogue's defaults, then the settings stored in
 * the database (data_api.settings), then what the environment pins. Every face shows a setting's
 * value together with where it came from, and refuses to change one the environment pins.
 */
import type { AppConfig } from './app-config.js'
import { normalizeStored, SETTING_BY_KEY, SETTINGS, type MutableConfig, type SettingSpec } from './settings-catalog.js'

export type SettingSource = 'default' | 'database' | 'environment'

export type ResolvedSetting = Readonly<{
  value: unknown
  source: SettingSource
  /** the variable that pins it, when the source is the environment */
  variable?: string
}>

export type ResolvedConfig = Readonly<{
  config: AppConfig
  /** every catalogue setting, by key */
  settings: Readonly<Record<string, ResolvedSetting>>
  /** stored values that are not valid any more, skipped */
  warnings: readonly string[]
}>

/** The message for a stored or submitted value a setting does not accept, or undefined. */
export function settingProblem(setting: SettingSpec, value: unknown): string | undefined {
  const parsed = setting.schema.safeParse(value)
  return parsed.success ? undefined : parsed.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ')
}

export function resolveConfig(base: AppConfig, storedRaw: Readonly<Record<string, unknown>>): ResolvedConfig {
  const stored = normalizeStored(storedRaw)
  const config: MutableConfig = { ...base }
  const settings: Record<string, ResolvedSetting> = {}
  const warnings: string[] = []
  if (typeof stored.enabled === 'boolean') config.apiEnabled = stored.enabled
  else if ('enabled' in stored) warnings.push('ignoring the stored setting enabled: must be true or false')
  const fromDatabase: [SettingSpec, unknown][] = []
  for (const setting of SETTINGS) {
    const variable = base.pinned[setting.key]
    if (variable !== undefined) continue
    if (!(setting.key in stored)) continue
    const problem = settingProblem(setting, stored[setting.key])
    if (problem) warnings.push(`ignoring the stored setting ${setting.key}: ${problem}`)
    else fromDatabase.push([setting, stored[setting.key]])
  }
  for (const [setting, value] of fromDatabase) setting.apply(config, value)
  const stores = new Map(fromDatabase.map(([s, v]) => [s.key, v]))
  for (const setting of SETTINGS) {
    const variable = base.pinned[setting.key]
    if (variable !== undefined) settings[setting.key] = { value: setting.read(config), source: 'environment', variable }
    else if (stores.has(setting.key)) settings[setting.key] = { value: stores.get(setting.key), source: 'database' }
    else settings[setting.key] = { value: setting.read(base), source: 'default' }
  }
  return { config, settings, warnings }
}

/**
 * Why a patch of settings cannot be stored, one message per key: an unknown key, a value the
 * setting does not accept, or a setting the environment pins (named, so the operator knows what to
 * unset). Empty when the patch is fine. A key whose value is undefined is skipped.
 */
export function patchProblems(base: AppConfig, patch: Readonly<Record<string, unknown>>): { key: string; message: string }[] {
  const problems: { key: string; message: string }[] = []
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue
    const setting = SETTING_BY_KEY.get(key)
    if (!setting) {
      problems.push({ key, message: `unknown setting (known: ${SETTINGS.map((s) => s.key).join(', ')})` })
      continue
    }
    const variable = base.pinned[key]
    if (variable !== undefined) {
      problems.push({
        key,
        message:
          variable === 'override'
            ? 'is fixed by the configuration this server was started with'
            : `is set by the environment variable ${variable} on this server; unset it to manage the setting here`,
      })
      continue
    }
    const problem = settingProblem(setting, value)
    if (problem) problems.push({ key, message: problem })
  }
  return problems
}
