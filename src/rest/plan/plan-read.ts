/**
 * Stage 2 (plan). A GET/HEAD on a table or view → ReadPlan: the select tree with relationships
 * resolved, filters/order/limits attached to the node their path names, and the media type chosen.
 * Pure; raises PGRST1xx/2xx errors. Mirrors PostgREST Plan.hs (ReadPlan).
 */
import type { AppConfig } from '../../config/app-config.js'
import { errors } from '../../errors/catalog.js'
import { tableKey, type SchemaCache, type Table } from '../../schema-cache/types.js'
import type { ApiRequest } from '../api-request/api-request.js'
import { negotiate, selectsDefault, singleColumn } from './negotiate.js'
import type { EmbedPath, Field, Filter, LogicTree, OrderTerm, SelectItem } from '../api-request/types.js'
import { asCastType, type CastType, type QualifiedIdentifier } from '../../sql/fragment.js'
import { findRelationship, isToOne } from './find-relationship.js'
import { findTableOrThrow } from './find-table.js'
import { planTransaction } from './plan-transaction.js'
import { preferenceApplied } from './preference-applied.js'
import { resolveTimezone } from './resolve-timezone.js'
import type { EmbedPlan, HoistedAggregate, PlanCondition, PlanField, PlanOrderTerm, ReadNode, ReadPlan, SelectField } from './types.js'

export type PlanOptions = Readonly<{
  maxRows: number | undefined
  aggregatesEnabled: boolean
  txEnd: AppConfig['txEnd']
  /** the role the request runs as: `*` means the columns it may read */
  role?: string
}>

/** Mutable while the tree is being built; frozen into ReadNode at the end. */
type Draft = {
  table: Table
  qi: QualifiedIdentifier
  alias: string
  fields: SelectField[]
  star: boolean
  embeds: { plan: Omit<EmbedPlan, 'node'>; names: string[]; draft: Draft }[]
  where: PlanCondition[]
  order: PlanOrderTerm[]
  limit: number | undefined
  offset: number
}

export function planRead(request: ApiRequest, cache: SchemaCache, options: PlanOptions): ReadPlan {
  if (request.target.kind !== 'relation') throw errors.invalidPath()
  const table = findTableOrThrow(cache, request.schema, request.target.name)
  const { root, hasAggregates } = planReadTree(request, cache, table, options)
  const timezone = resolveTimezone(request.preferences, cache)
  const mediaType = negotiate(request, { cache, target: root.qi, defaultSelect: selectsDefault(request), raw: singleColumn(root) })
  const transaction = planTransaction(request, options.txEnd, { readOnly: true, mediaType })
  return {
    kind: 'read',
    root,
    mediaType,
    headOnly: request.method === 'HEAD',
    count: request.preferences.count,
    maxRows: options.maxRows,
    hasAggregates,
    timezone,
    preferenceApplied: preferenceApplied(request, { timezone, transaction }),
    transaction,
  }
}

/**
 * The select tree of `table` with the request's filters, order and limits attached where their
 * paths point. Reads use it as is; mutations move the root filters into their WHERE clause.
 */
export function planReadTree(
  request: ApiRequest,
  cache: SchemaCache,
  table: Table,
  options: PlanOptions,
): { root: ReadNode; hasAggregates: boolean } {
  const aliases = new Aliases(table.name)
  const root = buildDraft(cache, table, table.name, request.query.select, aliases, options, 0)

  for (const { path, filter } of request.query.filters) {
    const node = findNode(root, path)
    node.where.push(planFilterOrEmbedNull(node, filter))
  }
  for (const { path, tree } of request.query.logic) {
    const node = findNode(root, path)
    node.where.push(planLogic(node, tree))
  }
  for (const { path, terms } of request.query.order) {
    const node = findNode(root, path)
    node.order.push(...terms.map((t) => planOrderTerm(node, t)))
  }
  for (const { path, limit, offset } of request.query.limits) {
    const node = findNode(root, path)
    if (limit !== undefined) node.limit = limit
    if (offset !== undefined) node.offset = offset
  }
  applyRangeHeader(root, request.range)
  const hasAggregates = containsAggregates(root)
  if (hasAggregates && !options.aggregatesEnabled) throw errors.aggregatesNotAllowed()
  return { root: freeze(root, options.maxRows), hasAggregates }
}

/** Unique, short SQL aliases: the root keeps its table name (so Postgres errors read naturally). */
class Aliases {
  private readonly used = new Set<string>()
  private n = 0
  constructor(rootName: string) {
    this.used.add(rootName)
  }
  next(base: string): string {
    for (;;) {
      this.n += 1
      const candidate = base.length > 50 ? `t_${this.n}` : `${base}_${this.n}`
      if (!this.used.has(candidate)) {
        this.used.add(candidate)
        return candidate
      }
    }
  }
}

function columnInfo(table: Table, name: string): Omit<PlanField, 'field'> {
  const column = table.columns.find((c) => c.name === name)
  return {
    isJson: column?.isJson ?? false,
    isTsvector: column?.isTsvector ?? false,
    ...(column?.toJson ? { toJson: column.toJson } : {}),
    ...(column?.fromText ? { fromText: column.fromText } : {}),
  }
}

function planField(table: Table, field: Field): PlanField {
  return { field, ...columnInfo(table, field.name) }
}

function castOrThrow(cast: string | undefined, select: string): CastType | undefined {
  if (cast === undefined) return undefined
  const type = asCastType(cast)
  if (!type) throw errors.queryParam(`"failed to parse select parameter (${select})"`, `invalid cast type: ${cast}`)
  return type
}

/** PostgREST's output key for a JSON path: the last key, else the column name. */
function outputNameOf(field: Field): string {
  for (let i = field.jsonPath.length - 1; i >= 0; i--) {
    const key = field.jsonPath[i]!.key
    if (typeof key === 'string') return key
  }
  return field.name
}

function buildDraft(
  cache: SchemaCache,
  table: Table,
  alias: string,
  select: readonly SelectItem[],
  aliases: Aliases,
  options: PlanOptions,
  depth: number,
): Draft {
  const draft: Draft = {
    table,
    qi: { schema: table.schema, name: table.name },
    alias,
    fields: [],
    star: false,
    embeds: [],
    where: [],
    order: [],
    limit: undefined,
    offset: 0,
  }
  for (const item of select) {
    switch (item.kind) {
      case 'star': {
        // a role that may read some columns only: `*` is those columns (PostgreSQL refuses `t.*`)
        const granted = options.role === undefined ? undefined : cache.columnGrants?.get(tableKey(draft.qi))?.get(options.role)
        // columns with a data representation are rendered one by one: `*` is spelled out then
        const columns = granted ?? (table.columns.some((c) => c.toJson) ? table.columns.map((c) => c.name) : undefined)
        if (columns) for (const name of columns) draft.fields.push({ kind: 'field', field: planField(table, { name, jsonPath: [] }), outputName: name })
        else draft.star = true
        break
      }
      case 'count':
        draft.fields.push({ kind: 'count', outputName: item.alias ?? 'count', cast: castOrThrow(item.cast, 'count()') })
        break
      case 'field':
        draft.fields.push({
          kind: 'field',
          field: planField(table, item.field),
          outputName: item.alias ?? (item.aggregate && item.field.jsonPath.length === 0 ? item.aggregate : outputNameOf(item.field)),
          cast: castOrThrow(item.cast, item.field.name),
          aggregate: item.aggregate,
          aggregateCast: castOrThrow(item.aggregateCast, item.field.name),
        })
        break
      case 'embed': {
        const relationship = findRelationship(cache, draft.qi, item.name, item.hint)
        const target = cache.tables.get(`${relationship.foreignTable.schema}.${relationship.foreignTable.name}`)
        if (!target) throw errors.tableNotFound(relationship.foreignTable.schema, relationship.foreignTable.name, null)
        const outputName = item.alias ?? item.name
        // PostgREST names each embed's subquery <table>_<alias or name>_<depth>: the same relation
        // twice without aliases is the same name twice, which Postgres refuses (and which would be the
        // same JSON key twice)
        if (draft.embeds.some((e) => e.plan.outputName === outputName)) {
          throw errors.duplicateEmbed(`${draft.table.name}_${outputName}_${depth + 1}`)
        }
        const childAlias = aliases.next(target.name)
        const child = buildDraft(cache, target, childAlias, item.select, aliases, options, depth + 1)
        const toOne = isToOne(relationship)
        if (item.spread && !toOne && containsAggregates(child)) {
          throw errors.notImplemented('Aggregates are not implemented for one-to-many or many-to-many spreads.')
        }
        draft.embeds.push({
          plan: {
            outputName,
            relationship,
            toOne,
            joinType: item.joinType ?? 'left',
            spread: item.spread,
            lateralAlias: aliases.next(`${draft.alias}_${outputName}`.slice(0, 40)),
            hoisted: item.spread && toOne ? hoistAggregates(child) : [],
          },
          names: item.alias !== undefined ? [item.alias, item.name] : [item.name],
          draft: child,
        })
        break
      }
    }
  }
  return draft
}

function findNode(root: Draft, path: EmbedPath): Draft {
  let node = root
  for (const segment of path) {
    const embed = node.embeds.find((e) => e.names.includes(segment))
    if (!embed) throw errors.notEmbedded(segment)
    node = embed.draft
  }
  return node
}

function planFilterOrEmbedNull(node: Draft, filter: Filter): PlanCondition {
  const { field, opExpr } = filter
  if (field.jsonPath.length === 0 && opExpr.operation.kind === 'is') {
    const index = node.embeds.findIndex((e) => e.names.includes(field.name))
    const value = opExpr.operation.value
    if (index !== -1 && (value === 'null' || value === 'not_null')) {
      return { kind: 'embedNull', embedIndex: index, isNull: (value === 'null') !== opExpr.negated }
    }
  }
  return { kind: 'filter', field: planField(node.table, field), opExpr }
}

function planLogic(node: Draft, tree: LogicTree): PlanCondition {
  if (tree.kind === 'filter') return planFilterOrEmbedNull(node, tree.filter)
  return { kind: 'expr', negated: tree.negated, operator: tree.operator, children: tree.children.map((c) => planLogic(node, c)) }
}

function planOrderTerm(node: Draft, term: OrderTerm): PlanOrderTerm {
  const base = { direction: term.direction, nulls: term.nulls }
  if (term.relation === undefined) return { ...base, target: { kind: 'field', field: planField(node.table, term.field) } }
  const embedIndex = node.embeds.findIndex((e) => e.names.includes(term.relation!))
  if (embedIndex === -1) throw errors.notEmbedded(term.relation)
  const embed = node.embeds[embedIndex]!
  if (!embed.plan.toOne) throw errors.relatedOrderNotToOne(node.table.name, term.relation)
  return { ...base, target: { kind: 'related', embedIndex, field: term.field } }
}

/** Intersects `limit`/`offset` with the Range header, as PostgREST's restrictRange does. */
function applyRangeHeader(root: Draft, range: ApiRequest['range']): void {
  if (!range) return
  const queryFrom = root.offset
  const queryTo = root.limit === undefined ? Infinity : root.offset + root.limit - 1
  const headerTo = range.limit === undefined ? Infinity : range.offset + range.limit - 1
  const from = Math.max(queryFrom, range.offset)
  const to = Math.min(queryTo, headerTo)
  root.offset = from
  root.limit = to === Infinity ? undefined : Math.max(0, to - from + 1)
}

function containsAggregates(node: Draft): boolean {
  return (
    node.fields.some((f) => f.kind === 'count' || f.aggregate !== undefined) ||
    node.embeds.some((e) => e.plan.hoisted.length > 0 || containsAggregates(e.draft))
  )
}

/**
 * Aggregates inside a to-one spread apply at the parent's level, over the parent's groups
 * (PostgREST hoists them): the spread selects the plain values and hands their aggregates up, with
 * those of the to-one spreads inside it.
 */
function hoistAggregates(spread: Draft): HoistedAggregate[] {
  const hoisted: HoistedAggregate[] = []
  spread.fields = spread.fields.map((f) => {
    if (f.kind !== 'field' || f.aggregate === undefined) return f
    hoisted.push({ outputName: f.outputName, aggregate: f.aggregate, ...(f.aggregateCast ? { cast: f.aggregateCast } : {}) })
    return { kind: 'field', field: f.field, outputName: f.outputName, ...(f.cast ? { cast: f.cast } : {}) }
  })
  for (const e of spread.embeds) if (e.plan.spread && e.plan.toOne) hoisted.push(...e.plan.hoisted)
  return hoisted
}

function freeze(draft: Draft, maxRows: number | undefined): ReadNode {
  const limit = maxRows === undefined ? draft.limit : draft.limit === undefined ? maxRows : Math.min(draft.limit, maxRows)
  return {
    table: draft.table,
    qi: draft.qi,
    alias: draft.alias,
    fields: draft.fields,
    star: draft.star,
    embeds: draft.embeds.map((e) => ({ ...e.plan, node: freeze(e.draft, maxRows) })),
    where: draft.where,
    order: draft.order,
    limit,
    offset: draft.offset,
  }
}
