/**
 * Schema cache: loads the catalog (three queries, see catalog-queries.ts) and assembles the
 * immutable SchemaCache value purely. Runs at start-up and on reload, never per request.
 * Mirrors PostgREST SchemaCache.hs (querySchemaCache and the relationship inference after it).
 */
import { type ZodType, z } from 'zod'
import {
  type Catalog,
  KEYS_AND_VIEWS_SQL,
  type RawConstraint,
  type RawRelation,
  type RawRoutine,
  RELATIONS_SQL,
  ROUTINES_SQL,
  rawComputed,
  rawConstraint,
  rawRelation,
  rawRoutine,
  rawView,
} from './catalog-queries.js'
import type {
  Cardinality,
  ColumnPairs,
  QualifiedIdentifier,
  Relationship,
  Routine,
  RoutineParam,
  RoutineReturn,
  SchemaCache,
  Table,
  TableKind,
} from './types.js'
import { tableKey } from './types.js'
import { viewColumnOrigins } from './view-column-origins.js'

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
    constraints: column(keyRows, 'constraints', rawConstraint),
    views: column(keyRows, 'views', rawView),
    routines: column(routineRows, 'routines', rawRoutine),
    computed: column(routineRows, 'computed', rawComputed),
  }
  const zoneRows = await query(TIMEZONES_SQL)
  const timezones = new Set(column(zoneRows, 'names', z.string()))
  return { ...assembleSchemaCache(schemas, catalog), timezones }
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

/** One side of a relationship while inferring: relations outside the exposed schemas take part too. */
type End = Readonly<{ oid: number; id: QualifiedIdentifier; isView: boolean }>

/** A many-to-one (or one-to-one child side) link before inverses and junctions are derived. */
type Link = Readonly<{
  table: End
  foreignTable: End
  isSelf: boolean
  constraint: string
  columns: ColumnPairs
  oneToOne: boolean
}>

/** For one view: base relation oid → base column number → the view columns showing it (view order). */
type ViewKeyColumns = ReadonlyMap<number, ReadonlyMap<number, readonly string[]>>

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
      columns: rel.columns.map(({ num: _num, ...col }) => col),
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
  }
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>()
  for (const item of items) {
    const k = key(item)
    const list = map.get(k)
    if (list) list.push(item)
    else map.set(k, [item])
  }
  return map
}

// ---- views: which base columns their columns show --------------------------------------------

/**
 * For every exposed view, the base-table columns its columns come from, following view chains
 * (a view over a view resolves to the innermost table). Columns computed by expressions, or views
 * whose origins PostgreSQL does not record (UNION...), contribute nothing.
 */
function viewKeyColumns(catalog: Catalog): Map<number, ViewKeyColumns> {
  const definitions = new Map<number, Map<number, Readonly<{ relation: number; column: number }>>>()
  for (const view of catalog.views) {
    definitions.set(view.oid, new Map(viewColumnOrigins(view.definition).map((o) => [o.viewColumn, o])))
  }
  const resolve = (relation: number, column: number): Readonly<{ relation: number; column: number }> | null => {
    const seen = new Set<number>()
    let current = { relation, column }
    for (;;) {
      const definition = definitions.get(current.relation)
      if (!definition) return current // not a view: a base relation
      if (seen.has(current.relation)) return null // a cycle cannot happen in PostgreSQL; be safe anyway
      seen.add(current.relation)
      const origin = definition.get(current.column)
      if (!origin) return null
      current = { relation: origin.relation, column: origin.column }
    }
  }

  const result = new Map<number, ViewKeyColumns>()
  for (const rel of catalog.relations) {
    if (rel.relkind !== 'v' && rel.relkind !== 'm') continue
    const keys = new Map<number, Map<number, string[]>>()
    for (const col of rel.columns) {
      const base = resolve(rel.oid, col.num)
      if (!base || base.relation === rel.oid) continue
      let columns = keys.get(base.relation)
      if (!columns) keys.set(base.relation, (columns = new Map()))
      const names = columns.get(base.column)
      if (names) names.push(col.name)
      else columns.set(base.column, [col.name])
    }
    result.set(rel.oid, keys)
  }
  return result
}

/** Every view column option per key column, or null when the view does not show all key columns. */
function keyColumnOptions(
  keys: ViewKeyColumns,
  relation: number,
  columns: readonly Readonly<{ num: number }>[],
): (readonly string[])[] | null {
  const shown = keys.get(relation)
  if (!shown || columns.length === 0) return null
  const options: (readonly string[])[] = []
  for (const c of columns) {
    const names = shown.get(c.num)
    if (!names) return null
    options.push(names)
  }
  return options
}

/**
 * A view's primary key: the primary keys of the base tables it shows entirely, concatenated. When
 * a key column is shown several times, the first view column stands for it (PostgREST does the same).
 */
function viewPrimaryKey(keys: ViewKeyColumns, primaryKeyOf: (oid: number) => RawConstraint | undefined): string[] {
  const pk: string[] = []
  for (const base of keys.keys()) {
    const basePk = primaryKeyOf(base)
    if (!basePk) continue
    const options = keyColumnOptions(keys, base, basePk.columns)
    if (!options) continue
    for (const names of options) {
      const first = names[0]
      if (first !== undefined && !pk.includes(first)) pk.push(first)
    }
  }
  return pk
}

/** All combinations picking one option per position: [[a, b], [c]] → [[a, c], [b, c]]. */
function combinations(options: readonly (readonly string[])[]): string[][] {
  let result: string[][] = [[]]
  for (const names of options) result = result.flatMap((prefix) => names.map((n) => [...prefix, n]))
  return result
}

// ---- relationships ----------------------------------------------------------------------------

function zipPairs(left: readonly string[], right: readonly string[]): ColumnPairs {
  return left.map((l, i) => [l, right[i] ?? ''] as const)
}

function sameColumnSet(a: readonly Readonly<{ num: number }>[], b: readonly Readonly<{ num: number }>[]): boolean {
  if (a.length !== b.length) return false
  const set = new Set(a.map((c) => c.num))
  return b.every((c) => set.has(c.num))
}

/**
 * Every FK as a many-to-one link (one-to-one when its columns are exactly the PK or a UNIQUE
 * constraint's), plus the links views inherit from it: view→table when a view shows all FK
 * columns, table→view when a view shows all referenced columns, view→view for each such pair.
 * A key column shown several times by a view yields one link per combination, so every alias
 * can serve as a hint.
 */
function foreignKeyLinks(
  constraints: readonly RawConstraint[],
  byRelation: ReadonlyMap<number, readonly RawConstraint[]>,
  viewKeys: ReadonlyMap<number, ViewKeyColumns>,
  ends: ReadonlyMap<number, End>,
): Link[] {
  // base relation oid → the exposed views that show some of its columns
  const viewsOver = new Map<number, { view: End; keys: ViewKeyColumns }[]>()
  for (const [viewOid, keys] of viewKeys) {
    const view = ends.get(viewOid)
    if (!view) continue
    for (const base of keys.keys()) {
      const list = viewsOver.get(base)
      if (list) list.push({ view, keys })
      else viewsOver.set(base, [{ view, keys }])
    }
  }
  const inheritors = (relation: number, columns: RawConstraint['columns']): { view: End; columns: string[] }[] =>
    (viewsOver.get(relation) ?? []).flatMap(({ view, keys }) => {
      const options = keyColumnOptions(keys, relation, columns)
      return options ? combinations(options).map((c) => ({ view, columns: c })) : []
    })

  const links: Link[] = []
  for (const fk of constraints) {
    if (fk.type !== 'f' || fk.foreignSchema === null || fk.foreignTable === null) continue
    const table: End = ends.get(fk.relation) ?? {
      oid: fk.relation,
      id: { schema: fk.schema, name: fk.table },
      isView: false,
    }
    const foreignTable: End = ends.get(fk.foreignRelation) ?? {
      oid: fk.foreignRelation,
      id: { schema: fk.foreignSchema, name: fk.foreignTable },
      isView: false,
    }
    const oneToOne = (byRelation.get(fk.relation) ?? []).some(
      (c) => (c.type === 'p' || c.type === 'u') && sameColumnSet(c.columns, fk.columns),
    )
    const fkColumns = fk.columns.map((c) => c.name)
    const refColumns = fk.foreignColumns.map((c) => c.name)
    const link = (from: End, to: End, isSelf: boolean, columns: ColumnPairs): Link => ({
      table: from,
      foreignTable: to,
      isSelf,
      constraint: fk.name,
      columns,
      oneToOne,
    })
    links.push(link(table, foreignTable, fk.relation === fk.foreignRelation, zipPairs(fkColumns, refColumns)))
    const fromViews = inheritors(fk.relation, fk.columns)
    const toViews = inheritors(fk.foreignRelation, fk.foreignColumns)
    for (const v of fromViews) links.push(link(v.view, foreignTable, false, zipPairs(v.columns, refColumns)))
    for (const w of toViews) links.push(link(table, w.view, false, zipPairs(fkColumns, w.columns)))
    for (const v of fromViews) {
      for (const w of toViews) {
        links.push(link(v.view, w.view, v.view.oid === w.view.oid, zipPairs(v.columns, w.columns)))
      }
    }
  }
  return links
}

function childCardinality(l: Link): Cardinality {
  return l.oneToOne
    ? { kind: 'O2O', constraint: l.constraint, columns: l.columns, isParent: false }
    : { kind: 'M2O', constraint: l.constraint, columns: l.columns }
}

function parentCardinality(l: Link): Cardinality {
  const columns: ColumnPairs = l.columns.map(([a, b]) => [b, a] as const)
  return l.oneToOne
    ? { kind: 'O2O', constraint: l.constraint, columns, isParent: true }
    : { kind: 'O2M', constraint: l.constraint, columns }
}

function foreignKeyRelationship(table: End, foreignTable: End, isSelf: boolean, cardinality: Cardinality): Relationship {
  return {
    kind: 'foreignKey',
    table: table.id,
    foreignTable: foreignTable.id,
    isSelf,
    cardinality,
    tableIsView: table.isView,
    foreignTableIsView: foreignTable.isView,
  }
}

/**
 * Many-to-many through a junction: two different many-to-one FKs of one relation whose columns all
 * belong to its primary key (which may have more columns). Each ordered pair gives one direction.
 */
function manyToManyRelationships(links: readonly Link[], tables: ReadonlyMap<string, Table>): Relationship[] {
  const result: Relationship[] = []
  const byJunction = groupBy(
    links.filter((l) => !l.oneToOne),
    (l) => tableKey(l.table.id),
  )
  for (const [key, junctionLinks] of byJunction) {
    const pk = new Set(tables.get(key)?.primaryKey ?? [])
    if (pk.size === 0) continue
    const inPk = junctionLinks.filter((l) => l.columns.every(([c]) => pk.has(c)))
    for (const source of inPk) {
      for (const target of inPk) {
        if (source.constraint === target.constraint) continue
        result.push({
          kind: 'foreignKey',
          table: source.foreignTable.id,
          foreignTable: target.foreignTable.id,
          isSelf: source.foreignTable.oid === target.foreignTable.oid,
          cardinality: {
            kind: 'M2M',
            junction: {
              table: source.table.id,
              constraint1: source.constraint,
              constraint2: target.constraint,
              sourceColumns: source.columns,
              targetColumns: target.columns,
            },
          },
          tableIsView: source.foreignTable.isView,
          foreignTableIsView: target.foreignTable.isView,
        })
      }
    }
  }
  return result
}

type ComputedRelationship = Extract<Relationship, { kind: 'computed' }>

function computedRelationships(catalog: Catalog, tables: ReadonlyMap<string, Table>): ComputedRelationship[] {
  return catalog.computed.flatMap((c): ComputedRelationship[] => {
    const table = { schema: c.tableSchema, name: c.tableName }
    const foreignTable = { schema: c.foreignSchema, name: c.foreignName }
    // partitions have row types too but are not in the cache
    if (!tables.has(tableKey(table)) || !tables.has(tableKey(foreignTable))) return []
    return [
      {
        kind: 'computed',
        function: { schema: c.schema, name: c.name },
        table,
        foreignTable,
        isSelf: tableKey(table) === tableKey(foreignTable),
        toMany: c.setOf && c.rows !== 1,
      },
    ]
  })
}

/**
 * Groups by tableKey(relationship.table). A computed relationship named like a related table
 * replaces the FK relationships to that table, so users can override an inferred embed
 * (PostgREST: computed relationships prevail).
 */
function groupRelationships(
  relationships: readonly Relationship[],
  computed: readonly ComputedRelationship[],
): Map<string, readonly Relationship[]> {
  const overridden = new Set(computed.map((c) => `${tableKey(c.table)}\u0000${tableKey(c.function)}`))
  const kept = relationships.filter(
    (r) => !overridden.has(`${tableKey(r.table)}\u0000${tableKey(r.foreignTable)}`),
  )
  const grouped = groupBy([...kept, ...computed], (r) => tableKey(r.table))
  return new Map(grouped)
}

// ---- routines ---------------------------------------------------------------------------------

/** Types a single unnamed argument may have: the whole request body is passed to it. */
const RAW_BODY_TYPES: ReadonlySet<string> = new Set(['json', 'jsonb', 'text', 'xml', 'bytea'])

const VOLATILITY = { i: 'immutable', s: 'stable', v: 'volatile' } as const

/** The routine as the API sees it, or null when PostgREST would not expose it (see spec §6.1). */
export function toRoutine(raw: RawRoutine): Routine | null {
  const modes = raw.argModes ?? raw.argTypes.map(() => 'i')
  const names = raw.argNames ?? []
  const params: RoutineParam[] = []
  raw.argTypes.forEach((type, i) => {
    const mode = modes[i] ?? 'i'
    if (mode !== 'i' && mode !== 'b' && mode !== 'v') return
    params.push({
      name: names[i] ?? '',
      type,
      // defaults always belong to the last input arguments
      required: params.length < raw.inputArgCount - raw.defaultCount,
      variadic: mode === 'v',
    })
  })
  const unnamed = params.filter((p) => p.name === '')
  if (unnamed.length > 1) return null
  if (unnamed.length === 1 && !RAW_BODY_TYPES.has(unnamed[0]!.type)) return null

  return {
    schema: raw.schema,
    name: raw.name,
    description: raw.description,
    params,
    returns: routineReturn(raw, modes.some((m) => m === 'o' || m === 'b' || m === 't')),
    volatility: VOLATILITY[raw.volatility],
    returnsSingle: !raw.setOf || raw.rows === 1,
  }
}

function routineReturn(raw: RawRoutine, hasOutputArgs: boolean): RoutineReturn {
  const anonymousRecord: RoutineReturn = {
    kind: 'composite',
    relation: { schema: '', name: '' },
    setOf: raw.setOf,
    isRecord: true,
  }
  switch (raw.returnKind) {
    case 'void':
      return { kind: 'void' }
    case 'composite':
      return raw.returnSchema !== null && raw.returnName !== null
        ? { kind: 'composite', relation: { schema: raw.returnSchema, name: raw.returnName }, setOf: raw.setOf, isRecord: false }
        : anonymousRecord
    case 'record':
      return anonymousRecord
    case 'scalar':
      // a single OUT parameter makes the return type that parameter's, but the result is still a row
      return hasOutputArgs ? anonymousRecord : { kind: 'scalar', type: raw.returnType, setOf: raw.setOf }
    default:
      return assertNever(raw.returnKind)
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected value: ${String(value)}`)
}

function groupRoutines(raws: readonly RawRoutine[]): Map<string, readonly Routine[]> {
  const routines = raws.flatMap((raw) => {
    const routine = toRoutine(raw)
    return routine ? [routine] : []
  })
  return new Map(groupBy(routines, (r) => tableKey(r)))
}
