/**
 * Schema cache: loads the catalog (three queries, see catalog-queries.ts) and assembles the
 * immutable SchemaCache value purely (views: view-keys.ts, relationships: infer-relationships.ts,
 * functions: to-routine.ts). Runs at start-up and on reload, never per request.
 * Mirrors PostgREST SchemaCache.hs (querySchemaCache and the relationship inference after it).
 */
import { type ZodType, z } from 'zod'
import { KEYS_AND_VIEWS_SQL, RELATIONS_SQL, ROLE_SETTINGS_SQL, ROUTINES_SQL } from './catalog-queries.js'
import {
  type Catalog,
  type RawConstraint,
  type RawRelation,
  rawComputed,
  rawColumnGrant,
  rawConstraint,
  rawMediaHandler,
  rawRelation,
  rawRoutine,
  rawView,
} from './catalog-shapes.js'
import { groupBy } from './group-by.js'
import {
  childCardinality,
  computedRelationships,
  type End,
  foreignKeyLinks,
  foreignKeyRelationship,
  groupRelationships,
  manyToManyRelationships,
  parentCardinality,
} from './infer-relationships.js'
import { groupRoutines } from './to-routine.js'
import type { MediaHandler, Relationship, SchemaCache, Table, TableKind } from './types.js'
import { mediaHandlerKey, tableKey } from './types.js'
import { viewKeyColumns, viewPrimaryKey } from './view-keys.js'

/** Runs one parameterised statement and returns its rows (a Database.query or a PGlite adapter). */
export type CatalogQuery = (text: string, values?: readonly unknown[]) => Promise<Record<string, unknown>[]>

export async function loadSchemaCache(query: CatalogQuery, schemas: readonly string[]): Promise<SchemaCache> {
  const params = [[...schemas]]
  // One after the other: the caller may hand us a single connection, which must not be given
  // overlapping queries (node-postgres deprecates queuing them).
  const relationRows = await query(RELATIONS_SQL, params)
  const keyRows = await query(KEYS_AND_VIEWS_SQL, params)
  const routineRows = await query(ROUTINES_SQL, params)
  const catalog: Catalog = {
    relations: column(relationRows, 'relations', rawRelation),
    columnGrants: column(relationRows, 'column_grants', rawColumnGrant),
    constraints: column(keyRows, 'constraints', rawConstraint),
    views: column(keyRows, 'views', rawView),
    routines: column(routineRows, 'routines', rawRoutine),
    computed: column(routineRows, 'computed', rawComputed),
    mediaHandlers: column(routineRows, 'media_handlers', rawMediaHandler),
  }
  const zoneRows = await query(TIMEZONES_SQL)
  const timezones = new Set(column(zoneRows, 'names', z.string()))
  const settingRows = await query(ROLE_SETTINGS_SQL, [[...ROLE_SETTING_NAMES]])
  const roleSettings = groupRoleSettings(column(settingRows, 'role_settings', rawRoleSetting))
  return { ...assembleSchemaCache(schemas, catalog), timezones, roleSettings }
}

/**
 * The role settings a request applies for the role it switches to. Only statement_timeout, the
 * bound an operator sets per role (`ALTER ROLE anonymous SET statement_timeout = '3s'`); PostgREST
 * applies every user-settable one.
 */
const ROLE_SETTING_NAMES = ['statement_timeout'] as const

const rawRoleSetting = z.object({ role: z.string(), name: z.string(), value: z.string() })

function groupRoleSettings(rows: readonly z.infer<typeof rawRoleSetting>[]): ReadonlyMap<string, readonly (readonly [string, string])[]> {
  return new Map([...groupBy(rows, (r) => r.role)].map(([role, settings]) => [role, settings.map((s) => [s.name, s.value] as const)]))
}

const TIMEZONES_SQL = `select coalesce(json_agg(name), '[]'::json) as names from pg_catalog.pg_timezone_names`

/** Decodes a one-row, JSON-array column; a driver that returns json as text is tolerated. */
function column<T>(rows: readonly Record<string, unknown>[], name: string, item: ZodType<T>): T[] {
  const value = rows[0]?.[name]
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value
  const result = z.array(item).safeParse(parsed)
  if (!result.success) throw new Error(`schema cache: unexpected shape of catalog column "${name}": ${result.error.message}`)
  return result.data
}

// ---------------------------------------------------------------------------------------------
// Pure assembly

const TABLE_KINDS: Readonly<Record<RawRelation['relkind'], TableKind>> = {
  r: 'table',
  v: 'view',
  m: 'materializedView',
  f: 'foreignTable',
  p: 'partitionedTable',
}

// pg_relation_is_updatable bits: 1 << CMD_UPDATE, 1 << CMD_INSERT, 1 << CMD_DELETE
const CAN_UPDATE = 4
const CAN_INSERT = 8
const CAN_DELETE = 16

export function assembleSchemaCache(schemas: readonly string[], catalog: Catalog): SchemaCache {
  const byRelation = groupBy(catalog.constraints, (c) => c.relation)
  const primaryKeyOf = (oid: number): RawConstraint | undefined => byRelation.get(oid)?.find((c) => c.type === 'p')

  const viewKeys = viewKeyColumns(catalog)
  const tables = new Map<string, Table>()
  const ends = new Map<number, End>()
  for (const rel of catalog.relations) {
    const kind = TABLE_KINDS[rel.relkind]
    const isView = kind === 'view' || kind === 'materializedView'
    const isTable = kind === 'table' || kind === 'partitionedTable'
    const mask = rel.updatableMask ?? 0
    const table: Table = {
      schema: rel.schema,
      name: rel.name,
      kind,
      description: rel.description,
      insertable: isTable || (mask & CAN_INSERT) !== 0,
      updatable: isTable || (mask & CAN_UPDATE) !== 0,
      deletable: isTable || (mask & CAN_DELETE) !== 0,
      primaryKey: isView
        ? viewPrimaryKey(viewKeys.get(rel.oid) ?? new Map(), primaryKeyOf)
        : (primaryKeyOf(rel.oid)?.columns.map((c) => c.name) ?? []),
      // representations only where there are some, so most columns look as they always did
      columns: rel.columns.map(({ num: _num, toJson, fromJson, fromText, ...col }) => ({
        ...col,
        ...(toJson ? { toJson } : {}),
        ...(fromJson ? { fromJson } : {}),
        ...(fromText ? { fromText } : {}),
      })),
    }
    tables.set(tableKey(table), table)
    ends.set(rel.oid, { oid: rel.oid, id: { schema: rel.schema, name: rel.name }, isView })
  }

  const links = foreignKeyLinks(catalog.constraints, byRelation, viewKeys, ends).filter(
    (l) => tables.has(tableKey(l.table.id)) && tables.has(tableKey(l.foreignTable.id)),
  )

  const relationships: Relationship[] = [
    ...links.map((l) => foreignKeyRelationship(l.table, l.foreignTable, l.isSelf, childCardinality(l))),
    ...manyToManyRelationships(links, tables),
    ...links.map((l) => foreignKeyRelationship(l.foreignTable, l.table, l.isSelf, parentCardinality(l))),
  ]
  const computed = computedRelationships(catalog, tables)

  return {
    schemas,
    tables,
    relationships: groupRelationships(relationships, computed),
    routines: groupRoutines(catalog.routines),
    columnGrants: new Map(
      [...groupBy(catalog.columnGrants, (g) => tableKey({ schema: g.schema, name: g.table }))].map(([key, grants]) => [
        key,
        new Map(grants.map((g) => [g.role, g.columns])),
      ]),
    ),
    mediaHandlers: new Map(
      catalog.mediaHandlers.map((h) => {
        const target = h.targetSchema === null || h.targetName === null ? undefined : { schema: h.targetSchema, name: h.targetName }
        const handler: MediaHandler = { kind: h.kind, function: { schema: h.schema, name: h.name }, mediaType: h.mediaType, binary: h.binary }
        return [mediaHandlerKey(target, h.mediaType), h.kind === 'aggregate' && target ? { ...handler, target } : handler]
      }),
    ),
  }
}
