/**
 * Stage 2 (plan). `Prefer: timezone=<zone>` applies only when the zone is one Postgres knows
 * (pg_timezone_names); otherwise it is ignored, or refused with PGRST122 under handling=strict.
 */
import { errors } from '../../errors/catalog.js'
import type { SchemaCache } from '../../schema-cache/types.js'
import type { Preferences } from '../api-request/types.js'

export function resolveTimezone(preferences: Preferences, cache: SchemaCache): string | undefined {
  const zone = preferences.timezone
  if (zone === undefined) return undefined
  if (cache.timezones?.has(zone)) return zone
  if (preferences.handling === 'strict') throw errors.invalidPreferences([`timezone=${zone}`])
  return undefined
}
