/**
 * The "Advanced settings" form of the Data API page: which settings it shows, in the hosted
 * console's words, how a setting becomes the text of its field and back, and which field an error
 * of the API (`errors[].path` = `settings.<key>`) belongs to. The server checks the values; the form
 * only turns text into the JSON types the API takes.
 */
import type { FieldError } from '../api/client'
import type { Settings } from '../api/management'

export type FieldKind = 'list' | 'text' | 'optional-text' | 'optional-integer' | 'choice' | 'flag'

export type SettingField = Readonly<{
  key: string
  label: string
  kind: FieldKind
  help: string
  choices?: readonly Readonly<{ value: string; label: string }>[]
}>

export const ADVANCED_FIELDS: readonly SettingField[] = [
  { key: 'db_schemas', label: 'Exposed schemas', kind: 'list', help: 'Comma-separated. The roles still need USAGE on each schema and grants on its tables.' },
  { key: 'db_anon_role', label: 'Anonymous role', kind: 'optional-text', help: 'The role of requests without a token. Empty: such requests are refused.' },
  { key: 'db_max_rows', label: 'Maximum rows per request', kind: 'optional-integer', help: 'Empty: no limit.' },
  { key: 'jwt_role_claim_key', label: 'JWT role claim key', kind: 'text', help: 'Where the role is in a token’s claims, such as .role or .app_metadata.role.' },
  { key: 'server_cors_allowed_origins', label: 'CORS allowed origins', kind: 'text', help: 'Comma-separated origins. Empty: any origin.' },
  {
    key: 'openapi_mode',
    label: 'OpenAPI specification',
    kind: 'choice',
    help: 'What the API root describes.',
    choices: [
      { value: 'follow-privileges', label: 'What the caller’s role may use' },
      { value: 'ignore-privileges', label: 'Every table and function' },
      { value: 'disabled', label: 'Off' },
    ],
  },
  { key: 'server_timing_enabled', label: 'Server timing headers', kind: 'flag', help: 'Send Server-Timing with each response.' },
]

export type FormValues = Readonly<Record<string, string | boolean>>

/** The fields' values for these settings. */
export function formValues(settings: Settings): FormValues {
  return Object.fromEntries(
    ADVANCED_FIELDS.map((f) => {
      const v = settings[f.key]
      switch (f.kind) {
        case 'flag':
          return [f.key, v === true]
        case 'list':
          return [f.key, Array.isArray(v) ? v.join(', ') : '']
        default:
          return [f.key, v === null || v === undefined ? '' : String(v)]
      }
    }),
  )
}

function toSetting(field: SettingField, value: string | boolean): unknown {
  if (field.kind === 'flag') return value === true
  const text = String(value).trim()
  switch (field.kind) {
    case 'list':
      return text.split(',').map((s) => s.trim()).filter((s) => s !== '')
    case 'optional-text':
      return text === '' ? null : text
    case 'optional-integer':
      // a number the server checks; text that is none goes as it is, so the server names the problem
      return text === '' ? null : /^-?\d+$/.test(text) ? Number(text) : text
    case 'text':
    case 'choice':
      return text
  }
}

/** The settings whose fields changed: what to send (merged into the current settings). */
export function changedSettings(settings: Settings, values: FormValues): Record<string, unknown> {
  const before = formValues(settings)
  const changed: Record<string, unknown> = {}
  for (const field of ADVANCED_FIELDS) {
    const value = values[field.key]
    if (value === undefined) continue
    const normalized = field.kind === 'flag' ? value : String(value).trim()
    if (normalized !== before[field.key]) changed[field.key] = toSetting(field, value)
  }
  return changed
}

/** The API's field errors by setting key; errors of no field of the form under ''. */
export function fieldErrors(errors: readonly FieldError[]): Record<string, string> {
  const byField: Record<string, string> = {}
  const keys = new Set(ADVANCED_FIELDS.map((f) => f.key))
  for (const e of errors) {
    const key = e.path.startsWith('settings.') ? e.path.slice('settings.'.length).split('.')[0]! : ''
    const at = keys.has(key) ? key : ''
    byField[at] = byField[at] ? `${byField[at]}; ${e.message}` : e.message
  }
  return byField
}

/** The environment variable (or "configuration") that pins a setting, from get_data_api's setting_sources. */
export function pinnedBy(source: string | undefined): string | undefined {
  if (!source) return undefined
  if (source === 'override') return 'the configuration this server was started with'
  const m = /^environment \((.+)\)$/.exec(source)
  return m ? m[1] : undefined
}
