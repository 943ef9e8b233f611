/**
 * The management operations the console uses, as typed calls on the HTTP API (/api/v2, the hosted
 * Neon shapes). One function per operation; the names are the operations' (docs/management.md).
 */
import { api } from './client'

/** Which database of which project the pages work on (the branch is always main). */
export type Target = Readonly<{ project: string; database: string }>

export type Project = Readonly<{ id: string; default_database: string; provisioner: string; pg_version: number }>
export type Database = Readonly<{ name: string; owner_name: string }>

export type Settings = Readonly<Record<string, unknown>>

export type DataApi = Readonly<{
  url: string
  status: string
  settings: Settings
  available_schemas: readonly string[]
  auth: Readonly<{ provider: 'neon_auth' | 'external' | 'none'; jwks_url: string | null; jwt_audience: string | null; jwt_issuer: string | null }>
  /** `default`, `database`, `environment (VAR)` or `override` */
  setting_sources: Readonly<Record<string, string>>
}>

export type CreateDataApi = Readonly<{
  auth_provider?: 'neon_auth' | 'external' | 'none'
  jwks_url?: string
  jwt_audience?: string
  add_default_grants?: boolean
}>

export type Created = Readonly<{ url: string; grants?: readonly string[]; warnings?: readonly string[] }>

export type Column = Readonly<{ name: string; type: string; nullable: boolean; default: string | null; identity: string | null; generated: string | null }>
export type Policy = Readonly<{
  name: string
  command: string
  permissive: boolean
  roles: readonly string[]
  using: string | null
  with_check: string | null
}>
export type Table = Readonly<{
  schema: string
  name: string
  kind: string
  rls_enabled: boolean
  rls_forced: boolean
  estimated_rows: number
  has_primary_key: boolean
  columns: readonly Column[]
  policies: readonly Policy[]
  exposed: boolean
}>

export type RowsPage = Readonly<{ columns: readonly string[]; rows: readonly Readonly<Record<string, unknown>>[]; total: number; limit: number; offset: number }>

export type StatementResult = Readonly<{
  fields: readonly string[]
  rows: readonly Readonly<Record<string, unknown>>[]
  command: string | null
  rowCount: number | null
}>
export type SqlRun = Readonly<{ results: readonly StatementResult[]; duration_ms: number }>

export type Issue = Readonly<{
  name: string
  title: string
  level: 'ERROR' | 'WARN' | 'INFO' | string
  categories: readonly string[]
  description: string
  detail: string
  metadata: Readonly<{ schema?: string; name?: string; type?: string }>
  cache_key: string
  sql: string
}>

export type AuthService = Readonly<{ base_url: string; jwks_url: string }>
export type AuthUser = Readonly<{ id: string; email: string; name: string; email_verified: boolean; created_at: string; banned: boolean }>
export type Provider = Readonly<{ id: string; jwks_url: string; provider_name: string; jwt_audience?: string }>

const seg = encodeURIComponent
const branch = (t: Target) => `/projects/${seg(t.project)}/branches/main`
const dataApi = (t: Target) => `${branch(t)}/data-api/${seg(t.database)}`
const database = (t: Target) => `${branch(t)}/databases/${seg(t.database)}`
const inDatabase = (t: Target, extra: Record<string, string> = {}) => `?${new URLSearchParams({ database_name: t.database, ...extra })}`

export const listProjects = () => api<{ projects: Project[] }>('GET', '/projects')
export const listDatabases = (project: string) => api<{ databases: Database[] }>('GET', `/projects/${seg(project)}/branches/main/databases`)

export const getDataApi = (t: Target) => api<DataApi>('GET', dataApi(t))
export const createDataApi = (t: Target, body: CreateDataApi) => api<Created>('POST', dataApi(t), body)
/** Merges the given settings into the current ones (the hosted PATCH would replace them all). */
export const updateDataApi = (t: Target, settings: Settings) => api<object>('PATCH', `${dataApi(t)}?replace=false`, { settings })
export const refreshSchemaCache = (t: Target) => api<object>('PATCH', dataApi(t), {})
export const deleteDataApi = (t: Target) => api<object>('DELETE', dataApi(t))

export const listTables = (t: Target) => api<{ tables: Table[] }>('GET', `${database(t)}/tables`)
export const listTableRows = (t: Target, schema: string, table: string, limit: number, offset: number) =>
  api<RowsPage>('GET', `${database(t)}/tables/${seg(schema)}/${seg(table)}/rows?${new URLSearchParams({ limit: String(limit), offset: String(offset) })}`)
export const enableRls = (t: Target, schema: string, table: string) =>
  api<{ sql: string }>('POST', `${database(t)}/tables/${seg(schema)}/${seg(table)}/enable-rls`)

export const runSql = (t: Target, sql: string) => api<SqlRun>('POST', `${database(t)}/sql`, { sql })

export const listAdvisorIssues = (t: Target) => api<{ issues: Issue[] }>('GET', `/projects/${seg(t.project)}/advisors${inDatabase(t)}`)

export const getAuth = (t: Target) => api<AuthService>('GET', `${branch(t)}/auth${inDatabase(t)}`)
export const enableAuth = (t: Target) => api<AuthService>('POST', `${branch(t)}/auth`, { database_name: t.database })
export const listAuthUsers = (t: Target, search: string, limit: number, offset: number) =>
  api<{ users: AuthUser[]; total: number }>(
    'GET',
    `${branch(t)}/auth/users${inDatabase(t, { limit: String(limit), offset: String(offset), ...(search ? { search } : {}) })}`,
  )
export const deleteAuthUser = (t: Target, id: string) => api<object>('DELETE', `${branch(t)}/auth/users/${seg(id)}${inDatabase(t)}`)
export const listTrustedDomains = (t: Target) => api<{ domains: { domain: string }[] }>('GET', `${branch(t)}/auth/domains${inDatabase(t)}`)
export const addTrustedDomain = (t: Target, domain: string) => api<object>('POST', `${branch(t)}/auth/domains`, { database_name: t.database, domain })
export const deleteTrustedDomain = (t: Target, domain: string) =>
  api<object>('DELETE', `${branch(t)}/auth/domains`, { database_name: t.database, domains: [{ domain }] })

export const listAuthProviders = (t: Target) => api<{ jwks: Provider[] }>('GET', `/projects/${seg(t.project)}/jwks${inDatabase(t)}`)
export const addAuthProvider = (t: Target, provider: Readonly<{ jwks_url: string; provider_name: string; jwt_audience?: string }>) =>
  api<object>('POST', `/projects/${seg(t.project)}/jwks`, { database_name: t.database, ...provider })
export const removeAuthProvider = (t: Target, id: string) => api<object>('DELETE', `/projects/${seg(t.project)}/jwks/${seg(id)}${inDatabase(t)}`)
