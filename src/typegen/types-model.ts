/**
 * The `Database` type as data: what render-types.ts writes out. Built purely from the schema cache
 * (tables, columns, relationships, functions: what the Data API exposes, with the same relationship
 * inference the API uses for embeds) and the typegen catalog (identity and generated columns, user
 * types, function output columns).
 */
import type { Column, Relationship, Routine, SchemaCache, Table } from '../schema-cache/types.js'
import { tableKey } from '../schema-cache/types.js'
import { databasePath, tsType, type RelationPlace, type TypeContext } from './pg-to-ts.js'
import type { TypegenCatalog } from './typegen-catalog.js'

export type TsColumn = Readonly<{
  name: string
  /** the TypeScript type of a value, without `| null` */
  type: string
  nullable: boolean
  /** in Insert: must be given, may be left out (default, nullable, identity), or may not be given at all */
  insert: 'required' | 'optional' | 'never'
  /** in Update: may be given, or may not (identity always, generated) */
  update: 'optional' | 'never'
}>

export type TsRelationship = Readonly<{
  foreignKeyName: string
  columns: readonly string[]
  isOneToOne: boolean
  referencedRelation: string
  referencedColumns: readonly string[]
}>

export type TsRelation = Readonly<{
  name: string
  columns: readonly TsColumn[]
  relationships: readonly TsRelationship[]
  /** Insert and Update are written (always for tables; for views that Postgres can write through) */
  writable: boolean
}>

export type TsArg = Readonly<{ name: string; type: string; optional: boolean }>

export type TsSetof = Readonly<{ to: string; isOneToOne: boolean; isSetofReturn: boolean }>

export type TsOverload = Readonly<{
  /** null: the function takes no arguments */
  args: readonly TsArg[] | null
  returns: string
  setof?: TsSetof
}>

export type TsFunction = Readonly<{ name: string; overloads: readonly TsOverload[] }>

export type TsSchema = Readonly<{
  name: string
  tables: readonly TsRelation[]
  views: readonly TsRelation[]
  functions: readonly TsFunction[]
  enums: readonly Readonly<{ name: string; labels: readonly string[] }>[]
  compositeTypes: readonly Readonly<{ name: string; attributes: readonly Readonly<{ name: string; type: string }>[] }>[]
}>

export type TsDatabase = Readonly<{
  /** what supabase-js reads from `__InternalSupabase` to enable PostgREST 13+ features in its types */
  postgrestVersion: string
  schemas: readonly TsSchema[]
}>

/** The PostgREST version the Data API behaves as. */
export const POSTGREST_VERSION = '14'

const byName = <T extends { name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

function placeOf(table: Table): RelationPlace {
  return table.kind === 'view' || table.kind === 'materializedView' ? 'Views' : 'Tables'
}

export function buildTypesModel(cache: SchemaCache, catalog: TypegenCatalog, schemas: readonly string[]): TsDatabase {
  const relations = new Map<string, RelationPlace>()
  for (const table of cache.tables.values()) if (schemas.includes(table.schema)) relations.set(tableKey(table), placeOf(table))
  const context: TypeContext = {
    schemas: new Set(schemas),
    types: new Map(catalog.types.map((t) => [t.key, t])),
    relations,
  }
  const flags = new Map(catalog.columns.map((c) => [`${c.schema}\u0000${c.table}\u0000${c.column}`, c]))

  const column = (table: Table, c: Column): TsColumn => {
    const flag = flags.get(`${table.schema}\u0000${table.name}\u0000${c.name}`)
    const fixed = flag !== undefined && (flag.identity === 'a' || flag.generated !== '')
    const optional = c.nullable || c.default !== null || flag?.identity === 'd'
    return {
      name: c.name,
      type: tsType(c.baseType, context),
      nullable: c.nullable,
      insert: fixed ? 'never' : optional ? 'optional' : 'required',
      update: fixed ? 'never' : 'optional',
    }
  }

  const relation = (table: Table): TsRelation => ({
    name: table.name,
    columns: table.columns.map((c) => column(table, c)),
    relationships: outgoing(cache.relationships.get(tableKey(table)) ?? []),
    writable: placeOf(table) === 'Tables' || (table.kind === 'view' && (table.insertable || table.updatable)),
  })

  return {
    postgrestVersion: POSTGREST_VERSION,
    schemas: schemas.map((schema): TsSchema => {
      const tables = [...cache.tables.values()].filter((t) => t.schema === schema)
      const routines = [...cache.routines.values()].flat().filter((r) => r.schema === schema)
      return {
        name: schema,
        tables: tables.filter((t) => placeOf(t) === 'Tables').map(relation).sort(byName),
        views: tables.filter((t) => placeOf(t) === 'Views').map(relation).sort(byName),
        functions: functions(routines, schema, context, catalog),
        enums: catalog.types
          .filter((t) => t.kind === 'enum' && t.schema === schema)
          .map((t) => ({ name: t.name, labels: t.labels }))
          .sort(byName),
        compositeTypes: catalog.types
          .filter((t) => t.kind === 'composite' && t.schema === schema)
          .map((t) => ({ name: t.name, attributes: t.attributes.map((a) => ({ name: a.name, type: tsType(a.type, context) })) }))
          .sort(byName),
      }
    }),
  }
}

/** Many-to-one and one-to-one (child side) links: what postgrest-js reads to type embeds both ways. */
function outgoing(relationships: readonly Relationship[]): TsRelationship[] {
  const result: TsRelationship[] = []
  for (const r of relationships) {
    if (r.kind !== 'foreignKey') continue
    const c = r.cardinality
    if (c.kind !== 'M2O' && !(c.kind === 'O2O' && !c.isParent)) continue
    result.push({
      foreignKeyName: c.constraint,
      columns: c.columns.map(([own]) => own),
      isOneToOne: c.kind === 'O2O',
      referencedRelation: r.foreignTable.name,
      referencedColumns: c.columns.map(([, foreign]) => foreign),
    })
  }
  const key = (r: TsRelationship) => `${r.foreignKeyName}\u0000${r.referencedRelation}\u0000${r.columns.join(',')}`
  return result.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
}

function functions(routines: readonly Routine[], schema: string, context: TypeContext, catalog: TypegenCatalog): TsFunction[] {
  const grouped = new Map<string, TsOverload[]>()
  for (const routine of routines) {
    const overloads = grouped.get(routine.name) ?? []
    overloads.push(overload(routine, schema, context, catalog))
    grouped.set(routine.name, overloads)
  }
  return [...grouped].map(([name, overloads]) => ({ name, overloads })).sort(byName)
}

function overload(routine: Routine, schema: string, context: TypeContext, catalog: TypegenCatalog): TsOverload {
  const args = routine.params.length === 0 ? null : routine.params.map((p) => ({ name: p.name, type: tsType(p.type, context), optional: !p.required }))
  const r = routine.returns
  if (r.kind === 'void') return { args, returns: 'undefined' }
  const many = (type: string) => (r.setOf ? `${type}[]` : type)
  if (r.kind === 'scalar') return { args, returns: many(tsType(r.type, context)) }
  if (r.isRecord) {
    const inputs = routine.params.map((p) => p.type).join('\u0000')
    const outputs = catalog.functions.find((f) => f.schema === routine.schema && f.name === routine.name && f.inputs.join('\u0000') === inputs)?.outputs
    if (!outputs || outputs.length === 0) return { args, returns: many('Record<string, unknown>') }
    const fields = outputs.map((o) => `${propertyName(o.name)}: ${tsType(o.type, context)}`).join('; ')
    return { args, returns: many(`{ ${fields} }`) }
  }
  const place = context.relations.get(tableKey(r.relation))
  if (place) {
    const returns = many(databasePath(r.relation.schema, place, r.relation.name, 'Row'))
    // postgrest-js types the result's embeds from SetofOptions.to, a relation of the same schema
    if (r.relation.schema !== schema) return { args, returns }
    return { args, returns, setof: { to: r.relation.name, isOneToOne: !r.setOf, isSetofReturn: r.setOf } }
  }
  const composite = catalog.types.find((t) => t.kind === 'composite' && t.schema === r.relation.schema && t.name === r.relation.name)
  const type = composite && context.schemas.has(composite.schema) ? databasePath(composite.schema, 'CompositeTypes', composite.name) : 'Record<string, unknown>'
  return { args, returns: many(type) }
}

/** A property name as TypeScript needs it: bare when it is an identifier, else quoted. */
export function propertyName(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name)
}
