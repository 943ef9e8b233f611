/**
 * The OpenAPI 2.0 (Swagger) document of one exposed schema, built from the schema cache and what the
 * request role may do (postgrest-spec.md §7.4): a path per table/view with the methods it and the
 * role allow, a path per function, a definition per table/view, and the shared parameters PostgREST
 * clients expect. Pure.
 */
import type { Column, Relationship, Routine, RoutineParam, SchemaCache, Table } from '../../schema-cache/types.js'

/** What the role may do, per table/view name of the schema, and which functions it may execute. */
export type Privileges = Readonly<{
  tables: Readonly<Record<string, Readonly<{ select: boolean; insert: boolean; update: boolean; delete: boolean }>>>
  functions: readonly string[]
}>

export type OpenApiOptions = Readonly<{
  schema: string
  /** undefined: ignore privileges (every object, every method its kind allows) */
  privileges: Privileges | undefined
  /** the schema's comment: first line is the title, the rest the description */
  schemaDescription: string | null
  /** `host[:port]` as the client reached us */
  host: string | undefined
  basePath: string
  /** default ['http'] */
  schemes?: readonly string[]
  /** declare the bearer token (PostgREST's openapi-security-active) */
  security?: boolean
  version: string
}>

type Json = Record<string, unknown>

const MEDIA_TYPES = ['application/json', 'application/vnd.pgrst.object+json;nulls=stripped', 'application/vnd.pgrst.object+json', 'text/csv']

/** Swagger's type for a PostgreSQL type; json/jsonb have none (any value). */
export function swaggerType(pgType: string): string | undefined {
  switch (pgType) {
    case 'character varying':
    case 'character':
    case 'text':
      return 'string'
    case 'boolean':
      return 'boolean'
    case 'smallint':
    case 'integer':
    case 'bigint':
      return 'integer'
    case 'numeric':
    case 'real':
    case 'double precision':
      return 'number'
    case 'json':
    case 'jsonb':
      return undefined
    default:
      return pgType.endsWith('[]') ? 'array' : 'string'
  }
}

/** The type without its modifiers: `character varying(20)` → `character varying`, `numeric(10,2)` → `numeric`. */
function formatOf(type: string): string {
  return type.replace(/\([^)]*\)/g, '').replace(/\s+/g, ' ').trim()
}

/** A column default as a JSON value where it is a plain literal; other expressions as their text. */
export function defaultValue(text: string): unknown {
  const quoted = /^'((?:[^']|'')*)'(?:::[\w\s."[\]]+)?$/.exec(text)
  if (quoted) return quoted[1]!.replaceAll("''", "'")
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text)
  if (text === 'true' || text === 'false') return text === 'true'
  return text
}

function splitComment(comment: string | null): { summary?: string; description?: string } {
  if (comment === null || comment.trim() === '') return {}
  const [first = '', ...rest] = comment.split('\n')
  const description = rest.join('\n').trim()
  return description === '' ? { summary: first.trim() } : { summary: first.trim(), description }
}

/** Many-to-one column pairs of a table: [column, referenced table, referenced column]. */
function foreignKeys(relationships: readonly Relationship[]): Map<string, { table: string; column: string }[]> {
  const out = new Map<string, { table: string; column: string }[]>()
  for (const rel of relationships) {
    if (rel.kind !== 'foreignKey') continue
    const c = rel.cardinality
    if (!(c.kind === 'M2O' || (c.kind === 'O2O' && !c.isParent))) continue
    for (const [column, foreign] of c.columns) {
      const list = out.get(column) ?? []
      if (!list.some((l) => l.table === rel.foreignTable.name && l.column === foreign)) list.push({ table: rel.foreignTable.name, column: foreign })
      out.set(column, list)
    }
  }
  return out
}

function columnSchema(table: Table, column: Column, fks: Map<string, { table: string; column: string }[]>): Json {
  const notes: string[] = []
  if (table.primaryKey.includes(column.name)) notes.push('This is a Primary Key.<pk/>')
  for (const fk of fks.get(column.name) ?? []) {
    notes.push(`This is a Foreign Key to \`${fk.table}.${fk.column}\`.<fk table='${fk.table}' column='${fk.column}'/>`)
  }
  const note = notes.length > 0 ? `Note:\n${notes.join('\n')}` : undefined
  const description = [column.description, note].filter((d): d is string => d !== null && d !== undefined && d !== '').join('\n\n')
  const format = formatOf(column.type)
  const type = swaggerType(formatOf(column.baseType))
  const schema: Json = {}
  if (column.default !== null) schema.default = defaultValue(column.default)
  if (description !== '') schema.description = description
  if (column.enumValues.length > 0) schema.enum = column.enumValues
  schema.format = format
  if (type === 'array') schema.items = { type: 'string' }
  if (column.maxLength !== null) schema.maxLength = column.maxLength
  if (type !== undefined) schema.type = type
  return schema
}

function definition(table: Table, relationships: readonly Relationship[]): Json {
  const fks = foreignKeys(relationships)
  const properties: Json = {}
  for (const column of table.columns) properties[column.name] = columnSchema(table, column, fks)
  const required = table.columns.filter((c) => !c.nullable && c.default === null).map((c) => c.name)
  const out: Json = {}
  if (table.description) out.description = table.description
  out.properties = properties
  if (required.length > 0) out.required = required
  out.type = 'object'
  return out
}

const ref = (name: string) => ({ $ref: `#/parameters/${name}` })

function tablePaths(table: Table, allowed: { select: boolean; insert: boolean; update: boolean; delete: boolean }): Json {
  const rowFilters = table.columns.map((c) => ref(`rowFilter.${table.name}.${c.name}`))
  const texts = splitComment(table.description)
  const common = { tags: [table.name], ...texts }
  const path: Json = {}
  if (allowed.select) {
    path.get = {
      ...common,
      parameters: [...rowFilters, ref('select'), ref('order'), ref('range'), ref('rangeUnit'), ref('offset'), ref('limit'), ref('preferCount')],
      responses: {
        '200': { description: 'OK', schema: { items: { $ref: `#/definitions/${table.name}` }, type: 'array' } },
        '206': { description: 'Partial Content' },
      },
    }
  }
  if (allowed.insert && table.insertable) {
    path.post = { ...common, parameters: [ref(`body.${table.name}`), ref('select'), ref('preferPost')], responses: { '201': { description: 'Created' } } }
  }
  if (allowed.update && table.updatable) {
    path.patch = {
      ...common,
      parameters: [...rowFilters, ref(`body.${table.name}`), ref('preferReturn')],
      responses: { '204': { description: 'No Content' } },
    }
  }
  if (allowed.delete && table.deletable) {
    path.delete = { ...common, parameters: [...rowFilters, ref('preferReturn')], responses: { '204': { description: 'No Content' } } }
  }
  return path
}

function paramSchema(p: RoutineParam): Json {
  const type = swaggerType(formatOf(p.type))
  const out: Json = { format: formatOf(p.type) }
  if (type === 'array') out.items = { type: 'string' }
  if (type !== undefined) out.type = type
  return out
}

function routinePath(routine: Routine): Json {
  const texts = splitComment(routine.description)
  const common = { tags: [`(rpc) ${routine.name}`], ...texts }
  const named = routine.params.filter((p) => p.name !== '')
  const properties: Json = {}
  for (const p of named) properties[p.name] = paramSchema(p)
  const required = named.filter((p) => p.required).map((p) => p.name)
  const body: Json = { properties, type: 'object' }
  if (required.length > 0) body.required = required
  const path: Json = {
    post: {
      ...common,
      parameters: [{ in: 'body', name: 'args', required: true, schema: body }, ref('preferParams')],
      produces: MEDIA_TYPES.slice(0, 3),
      responses: { '200': { description: 'OK' } },
    },
  }
  if (routine.volatility !== 'volatile') {
    path.get = {
      ...common,
      parameters: named.map((p) => {
        const schema = paramSchema(p)
        return { ...schema, in: 'query', name: p.name, required: p.required, ...(schema.type === undefined ? { type: 'string' } : {}) }
      }),
      responses: { '200': { description: 'OK' } },
    }
  }
  return path
}

const PREFERENCE = { description: 'Preference', in: 'header', name: 'Prefer', required: false, type: 'string' }

function sharedParameters(tables: readonly Table[]): Json {
  const params: Json = {
    preferParams: { ...PREFERENCE, enum: ['params=single-object'] },
    preferReturn: { ...PREFERENCE, enum: ['return=representation', 'return=minimal', 'return=none'] },
    preferCount: { ...PREFERENCE, enum: ['count=none'] },
    preferPost: {
      ...PREFERENCE,
      enum: ['return=representation', 'return=minimal', 'return=none', 'resolution=ignore-duplicates', 'resolution=merge-duplicates'],
    },
    select: { description: 'Filtering Columns', in: 'query', name: 'select', required: false, type: 'string' },
    on_conflict: { description: 'On Conflict', in: 'query', name: 'on_conflict', required: false, type: 'string' },
    order: { description: 'Ordering', in: 'query', name: 'order', required: false, type: 'string' },
    range: { description: 'Limiting and Pagination', in: 'header', name: 'Range', required: false, type: 'string' },
    rangeUnit: { default: 'items', description: 'Limiting and Pagination', in: 'header', name: 'Range-Unit', required: false, type: 'string' },
    offset: { description: 'Limiting and Pagination', in: 'query', name: 'offset', required: false, type: 'string' },
    limit: { description: 'Limiting and Pagination', in: 'query', name: 'limit', required: false, type: 'string' },
  }
  for (const table of tables) {
    params[`body.${table.name}`] = {
      description: table.name,
      in: 'body',
      name: table.name,
      required: false,
      schema: { $ref: `#/definitions/${table.name}` },
    }
    for (const column of table.columns) {
      const out: Json = {}
      if (column.description) out.description = column.description
      params[`rowFilter.${table.name}.${column.name}`] = {
        ...out,
        format: formatOf(column.type),
        in: 'query',
        name: column.name,
        required: false,
        type: 'string',
      }
    }
  }
  return params
}

const ALL = { select: true, insert: true, update: true, delete: true }
const NONE = { select: false, insert: false, update: false, delete: false }

export function openApiDocument(cache: SchemaCache, options: OpenApiOptions): Json {
  const { privileges } = options
  const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  const tables = [...cache.tables.values()]
    .filter((t) => t.schema === options.schema)
    .filter((t) => {
      if (!privileges) return true
      const p = privileges.tables[t.name]
      return p !== undefined && (p.select || p.insert || p.update || p.delete)
    })
    .sort(byName)
  const executable = privileges ? new Set(privileges.functions) : undefined
  const routines = [...cache.routines.values()]
    .map((overloads) => overloads[0]!)
    .filter((r) => r.schema === options.schema && (executable === undefined || executable.has(r.name)))
    .sort(byName)

  const paths: Json = {
    '/': {
      get: {
        produces: ['application/openapi+json', 'application/json'],
        responses: { '200': { description: 'OK' } },
        summary: 'OpenAPI description (this document)',
        tags: ['Introspection'],
      },
    },
  }
  const definitions: Json = {}
  for (const table of tables) {
    const allowed = privileges ? (privileges.tables[table.name] ?? NONE) : ALL
    paths[`/${table.name}`] = tablePaths(table, allowed)
    definitions[table.name] = definition(table, cache.relationships.get(`${table.schema}.${table.name}`) ?? [])
  }
  for (const routine of routines) paths[`/rpc/${routine.name}`] = routinePath(routine)

  // the schema's comment: its first line is the title, the rest the description
  const comment = options.schemaDescription
  const newline = comment?.indexOf('\n') ?? -1
  const info =
    comment === null || comment.trim() === ''
      ? { description: 'A PostgREST-compatible API generated by data-api', title: 'data-api' }
      : { description: newline === -1 ? '' : comment.slice(newline + 1).trim(), title: (newline === -1 ? comment : comment.slice(0, newline)).trim() }
  const doc: Json = { swagger: '2.0', info: { ...info, version: options.version } }
  if (options.host !== undefined) doc.host = options.host
  Object.assign(doc, {
    basePath: options.basePath,
    schemes: options.schemes ?? ['http'],
    consumes: MEDIA_TYPES,
    produces: MEDIA_TYPES,
    paths,
    definitions,
    parameters: sharedParameters(tables),
    externalDocs: { description: 'PostgREST Documentation', url: 'https://postgrest.org/en/stable/references/api.html' },
  })
  if (options.security) {
    doc.securityDefinitions = {
      JWT: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'A JSON Web Token, sent as "Bearer <token>"' },
    }
    doc.security = [{ JWT: [] }]
  }
  return doc
}
