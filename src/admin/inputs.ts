/**
 * Input fields many operations share, as zod schemas: which database on which branch, and the
 * settings object (built from the settings catalogue, so a new setting is accepted everywhere).
 */
import { z } from 'zod'
import { DATABASE_NAME } from '../config/app-config.js'
import { SETTINGS } from '../config/settings-catalog.js'

export const databaseName = z
  .string()
  .regex(DATABASE_NAME, 'must be 1-63 letters, digits, _ or - (not starting with -)')
  .describe('the database (default: the server’s default database)')

export const branchId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,59}$/, 'must be 1-60 lowercase letters, digits, _ or -')
  .describe('the branch (default: main)')

/** The database an operation works on. */
export const target = {
  branch_id: branchId.optional(),
  database_name: databaseName.optional(),
}

/** The Data API settings (the hosted DataAPISettings and PostgREST's knobs), every one optional. */
export const apiSettings = z
  .object(Object.fromEntries(SETTINGS.filter((s) => s.group === 'api').map((s) => [s.key, s.schema.optional().describe(s.description)])))
  .strict()
  .describe('Data API settings; see docs/settings.md')

export const identifier = z.string().min(1, 'must not be empty').max(63, 'must be at most 63 characters')

/** true/false, also as the text a query string or CLI flag carries */
export const flag = z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean())
