/**
 * Stage 2 (plan). Finds the one relationship an embed `name!hint(...)` refers to, or raises
 * PGRST200 (none) / PGRST201 (several). Mirrors PostgREST Plan.findRel.
 */
import { errors } from '../../errors/catalog.js'
import type { Cardinality, ColumnPairs, QualifiedIdentifier, Relationship, SchemaCache } from '../../schema-cache/types.js'
import { similarity } from '../../schema-cache/find-relationships.js'
import { tableKey } from '../../schema-cache/types.js'

export function isToOne(rel: Relationship): boolean {
  if (rel.kind === 'computed') return !rel.toMany
  return rel.cardinality.kind === 'M2O' || rel.cardinality.kind === 'O2O'
}

function constraintOf(c: Cardinality): string | undefined {
  return c.kind === 'M2M' ? undefined : c.constraint
}

function singleColumn(pairs: ColumnPairs, side: 0 | 1): string | undefined {
  return pairs.length === 1 ? pairs[0]![side] : undefined
}

/** Does `name` (as written in select) designate this relationship's target? */
function matchesTarget(rel: Relationship, name: string): boolean {
  if (rel.kind === 'computed') return rel.function.name === name
  if (rel.foreignTable.name === name) return true
  const c = rel.cardinality
  // Deprecated but supported: the FK constraint name or the FK column of a many-to-one, targets a table only.
  if (c.kind === 'M2O' || (c.kind === 'O2O' && !c.isParent)) {
    if (rel.foreignTableIsView) return false
    return c.constraint === name || singleColumn(c.columns, 0) === name
  }
  return false
}

function matchesHint(rel: Relationship, hint: string): boolean {
  if (rel.kind === 'computed') return false
  const c = rel.cardinality
  if (c.kind === 'M2M') return c.junction.table.name === hint || c.junction.constraint1 === hint || c.junction.constraint2 === hint
  return c.constraint === hint || singleColumn(c.columns, 0) === hint || singleColumn(c.columns, 1) === hint
}

function cardinalityName(rel: Relationship): string {
  if (rel.kind === 'computed') return rel.toMany ? 'one-to-many' : 'many-to-one'
  switch (rel.cardinality.kind) {
    case 'M2O':
      return 'many-to-one'
    case 'O2M':
      return 'one-to-many'
    case 'O2O':
      return 'one-to-one'
    case 'M2M':
      return 'many-to-many'
  }
}

const cols = (pairs: ColumnPairs, side: 0 | 1) => pairs.map((p) => p[side]).join(', ')

/** One entry of PGRST201's details, worded as PostgREST words it (table names without schema). */
function describe(rel: Relationship): Record<string, string> {
  const embedding = `${rel.table.name} with ${rel.foreignTable.name}`
  if (rel.kind === 'computed') return { cardinality: cardinalityName(rel), embedding, relationship: `${rel.function.name} computed` }
  const c = rel.cardinality
  const relationship =
    c.kind === 'M2M'
      ? `${c.junction.table.name} using ${c.junction.constraint1}(${cols(c.junction.sourceColumns, 0)}) and ${c.junction.constraint2}(${cols(c.junction.targetColumns, 0)})`
      : `${c.constraint} using ${rel.table.name}(${cols(c.columns, 0)}) and ${rel.foreignTable.name}(${cols(c.columns, 1)})`
  return { cardinality: cardinalityName(rel), embedding, relationship }
}

export function findRelationship(cache: SchemaCache, source: QualifiedIdentifier, name: string, hint: string | undefined): Relationship {
  const all = cache.relationships.get(tableKey(source)) ?? []
  let found = all.filter((rel) => matchesTarget(rel, name) && (hint === undefined || matchesHint(rel, hint)))

  // Self-references: the table's own name means its children (O2M), an FK column name its parent (M2O).
  if (found.length > 1 && found.every((r) => r.isSelf) && name === source.name) {
    const children = found.filter((r) => r.kind === 'foreignKey' && (r.cardinality.kind === 'O2M' || (r.cardinality.kind === 'O2O' && r.cardinality.isParent)))
    if (children.length > 0) found = children
  }
  // A computed relationship overrides an automatically detected one of the same name.
  if (found.length > 1 && found.some((r) => r.kind === 'computed')) found = found.filter((r) => r.kind === 'computed')

  if (found.length === 1) return found[0]!
  if (found.length === 0) {
    throw errors.noRelBetween(source.name, name, source.schema, hint ?? null, suggestRelationship(all, name))
  }
  // A stable order, whatever order the catalogue returned the constraints in.
  found = [...found].sort((a, b) => (describe(a).relationship ?? '').localeCompare(describe(b).relationship ?? ''))
  // PostgREST suggests `<target table>!<constraint or junction>`
  const suggestions = found.map((rel) => {
    if (rel.kind === 'computed') return `${rel.foreignTable.name}!${rel.function.name}`
    const c = rel.cardinality
    return `${rel.foreignTable.name}!${c.kind === 'M2M' ? c.junction.table.name : constraintOf(c)}`
  })
  throw errors.ambiguousRelBetween(source.name, name, found.map(describe), suggestions)
}

function suggestRelationship(all: readonly Relationship[], name: string): string | null {
  let best: string | undefined
  let bestScore = 0
  for (const rel of all) {
    const candidate = rel.kind === 'computed' ? rel.function.name : rel.foreignTable.name
    const score = similarity(candidate, name)
    if (score > bestScore) {
      best = candidate
      bestScore = score
    }
  }
  return best !== undefined && bestScore >= 0.5 ? `Perhaps you meant '${best}' instead of '${name}'.` : null
}
