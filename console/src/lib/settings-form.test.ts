import { describe, expect, it } from 'vitest'
import { changedSettings, fieldErrors, formValues, pinnedBy } from './settings-form'

const SETTINGS = {
  db_schemas: ['public'],
  db_anon_role: 'anonymous',
  db_max_rows: null,
  jwt_role_claim_key: '.role',
  server_cors_allowed_origins: '',
  openapi_mode: 'follow-privileges',
  server_timing_enabled: false,
  db_aggregates_enabled: false,
}

describe('settings form', () => {
  it('shows each setting as the text of its field', () => {
    expect(formValues(SETTINGS)).toEqual({
      db_schemas: 'public',
      db_anon_role: 'anonymous',
      db_max_rows: '',
      jwt_role_claim_key: '.role',
      server_cors_allowed_origins: '',
      openapi_mode: 'follow-privileges',
      server_timing_enabled: false,
    })
  })

  it('sends only what changed, as the JSON types the API takes', () => {
    const values = { ...formValues(SETTINGS), db_max_rows: ' 1 ', db_schemas: 'public, api,', server_timing_enabled: true }
    expect(changedSettings(SETTINGS, values)).toEqual({ db_max_rows: 1, db_schemas: ['public', 'api'], server_timing_enabled: true })
    expect(changedSettings(SETTINGS, formValues(SETTINGS))).toEqual({})
  })

  it('clears an optional setting with an empty field, and leaves bad numbers to the server', () => {
    const current = { ...SETTINGS, db_max_rows: 10 }
    expect(changedSettings(current, { ...formValues(current), db_max_rows: '' })).toEqual({ db_max_rows: null })
    expect(changedSettings(current, { ...formValues(current), db_max_rows: 'ten' })).toEqual({ db_max_rows: 'ten' })
    expect(changedSettings(current, { ...formValues(current), db_anon_role: '' })).toEqual({ db_anon_role: null })
  })

  it('files the API’s errors under their fields', () => {
    expect(
      fieldErrors([
        { path: 'settings.db_max_rows', message: 'must be at least 1' },
        { path: 'settings.db_schemas.0', message: 'a schema name must not be empty' },
        { path: 'settings', message: 'No settings given.' },
      ]),
    ).toEqual({ db_max_rows: 'must be at least 1', db_schemas: 'a schema name must not be empty', '': 'No settings given.' })
  })

  it('names what pins a setting', () => {
    expect(pinnedBy('environment (PGRST_DB_MAX_ROWS)')).toBe('PGRST_DB_MAX_ROWS')
    expect(pinnedBy('override')).toBe('the configuration this server was started with')
    expect(pinnedBy('database')).toBeUndefined()
  })
})
