/**
 * Schema cache, pure: relationships inferred from foreign keys (many-to-one, one-to-one, their
 * inverses, views inheriting them, many-to-many through junctions) and computed relationships.
 * Mirrors PostgREST SchemaCache.hs (relationship inference).
 */
import type { Catalog, RawConstraint } from './catalog-shapes.js'
import { groupBy } from './group-by.js'
import type { Cardinality, ColumnPairs, QualifiedIdentifier, Relationship, Table } from './types.js'
import { tableKey } from './types.js'
import { combinations, keyColumnOptions, type ViewKeyColumns } from './view-keys.js'

/** One side of a relationship while inferring: relations outside the exposed schemas take part too. */
export type End = Readonly<{ oid: number; id: QualifiedIdentifier; isView: boolean }>

/** A many-to-one (or one-to-one child side) link before inverses and junctions are derived. */
export type Link = Readonly<{
  table: End
  foreignTable: End
  isSelf: boolean
  constraint: string
  columns: ColumnPairs
  oneToOne: boolean
}>

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
export function foreignKeyLinks(
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

export function childCardinality(l: Link): Cardinality {
  return l.oneToOne
    ? { kind: 'O2O', constraint: l.constraint, columns: l.columns, isParent: false }
    : { kind: 'M2O', constraint: l.constraint, columns: l.columns }
}

export function parentCardinality(l: Link): Cardinality {
  const columns: ColumnPairs = l.columns.map(([a, b]) => [b, a] as const)
  return l.oneToOne
    ? { kind: 'O2O', constraint: l.constraint, columns, isParent: true }
    : { kind: 'O2M', constraint: l.constraint, columns }
}

export function foreignKeyRelationship(table: End, foreignTable: End, isSelf: boolean, cardinality: Cardinality): Relationship {
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
export function manyToManyRelationships(links: readonly Link[], tables: ReadonlyMap<string, Table>): Relationship[] {
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

export type ComputedRelationship = Extract<Relationship, { kind: 'computed' }>

export function computedRelationships(catalog: Catalog, tables: ReadonlyMap<string, Table>): ComputedRelationship[] {
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
export function groupRelationships(
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
