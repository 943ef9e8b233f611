/**
 * Schema cache, pure: which base-table columns the columns of each exposed view show (following view
 * chains), and the primary keys views derive from them. Mirrors PostgREST SchemaCache.hs (view key
 * dependencies).
 */
import type { Catalog, RawConstraint } from './catalog-shapes.js'
import { viewColumnOrigins } from './view-column-origins.js'

/** For one view: base relation oid → base column number → the view columns showing it (view order). */
export type ViewKeyColumns = ReadonlyMap<number, ReadonlyMap<number, readonly string[]>>

/**
 * For every exposed view, the base-table columns its columns come from, following view chains
 * (a view over a view resolves to the innermost table). Columns computed by expressions, or views
 * whose origins PostgreSQL does not record (UNION...), contribute nothing.
 */
export function viewKeyColumns(catalog: Catalog): Map<number, ViewKeyColumns> {
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
export function keyColumnOptions(
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
export function viewPrimaryKey(keys: ViewKeyColumns, primaryKeyOf: (oid: number) => RawConstraint | undefined): string[] {
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
export function combinations(options: readonly (readonly string[])[]): string[][] {
  let result: string[][] = [[]]
  for (const names of options) result = result.flatMap((prefix) => names.map((n) => [...prefix, n]))
  return result
}
