/**
 * The shape of a per-database setting's declaration (settings-catalog.ts and auth-settings.ts declare
 * them), and the small value helpers the declarations share.
 */
import { z } from 'zod'
import type { AppConfig } from './app-config.js'

export type MutableConfig = { -readonly [K in keyof AppConfig]: AppConfig[K] }

/**
 * `api`: the hosted product's DataAPISettings and PostgREST's own knobs, set by create/update;
 * `auth`: who issues tokens and the built-in auth service, set by the auth operations.
 */
export type SettingGroup = 'api' | 'auth'

export type SettingSpec<V = unknown> = Readonly<{
  key: string
  group: SettingGroup
  /** the AppConfig field it sets: a value given there programmatically (tests, embedding) pins it too */
  field: keyof AppConfig
  /** the environment variable that pins this setting for every database the server serves */
  env: string
  /** part of the hosted product's DataAPISettings (`settings` in the management API) */
  hosted: boolean
  description: string
  /** the value as stored, sent and returned */
  schema: z.ZodType<V>
  /** the environment variable's text → the value */
  fromEnv: z.ZodType<V, string>
  default: V
  /** writes the value into the configuration the server runs with */
  apply: (config: MutableConfig, value: V) => void
  /** the value a configuration holds (for values given programmatically rather than stored) */
  read: (config: AppConfig) => V
  /** how a CLI flag takes the value */
  flag: 'list' | 'integer' | 'boolean' | 'string'
}>

export function spec<V>(s: SettingSpec<V>): SettingSpec<unknown> {
  return s as SettingSpec<unknown>
}

export const ROLE_CLAIM_KEY = /^(\.("([^"\\]|\\.)*"|[^."[\]]+)(\[\d+\])*)+$/
export const roleName = z.string().min(1, 'must not be empty').max(63, 'must be at most 63 characters')
export const wholeNumber = (message: string) => z.string().regex(/^\d+$/, message).transform(Number)
export const csvText = (items: readonly string[]): string => items.join(',')
export const splitCsv = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
