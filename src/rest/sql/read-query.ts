/**
 * Stage 3 (build SQL). ReadNode → one SELECT with a LEFT/INNER JOIN LATERAL per embed, so the whole
 * response is computed by one statement. Pure. Mirrors PostgREST Query/QueryBuilder.hs (readPlanToQuery).
 */
import type { AggregateFunction, Field, OpExpr } from '../api-request/types.js'
import type { EmbedPlan, PlanCondition, PlanField, PlanOrderTerm, ReadNode, SelectField } from '../plan/types.js'
import type { QualifiedIdentifier, Relationship } from '../../schema-cache/types.js'
import { castTo, empty, ident, integerLiteral, join, param, qi, sql, type CastType, type Sql } from '../../sql/fragment.js'
import { pgArrayLiteral } from '../../sql/array-literal.js'
import { FTS_FUNCTIONS, IS_VALUES, QUANT_OPERATORS, SIMPLE_OPERATORS } from './operators.js'

/** `alias."col"` followed by its JSON path: keys and indexes are typed parameters. */
export function fieldSql(alias: string, field: Field, isJson: boolean): Sql {
  const column = sql`${ident(alias)}.${ident(field.name)}`
  if (field.jsonPath.length === 0) return column
  // Arrows work on json/jsonb directly; other types (composites, arrays) go through to_jsonb.
  let expr = isJson ? column : sql`to_jsonb(${column})`
  for (const step of field.jsonPath) {
    const key = typeof step.key === 'number' ? param(step.key, 'int') : param(step.key, 'text')
    expr = step.arrow === '->' ? sql`${expr}->${key}` : sql`${expr}->>${key}`
  }
  return expr
}

function planFieldSql(alias: string, f: PlanField): Sql {
  return fieldSql(alias, f.field, f.isJson)
}

const AGGREGATES = { sum: sql`sum`, avg: sql`avg`, count: sql`count`, max: sql`max`, min: sql`min` } as const

function selectFieldSql(alias: string, f: SelectField): Sql {
  if (f.kind === 'count') {
    const expr = sql`pg_catalog.count(*)`
    return sql`${f.cast ? castTo(expr, f.cast) : expr} AS ${ident(f.outputName)}`
  }
  let expr = planFieldSql(alias, f.field)
  // a data representation renders the column's domain (PostgREST applies it to plain columns)
  if (f.field.toJson && f.field.field.jsonPath.length === 0 && !f.cast && !f.aggregate) expr = sql`${qi(f.field.toJson)}(${expr})`
  if (f.cast) expr = castTo(expr, f.cast)
  if (f.aggregate) expr = aggregateSql(f.aggregate, expr, f.aggregateCast)
  return sql`${expr} AS ${ident(f.outputName)}`
}

function aggregateSql(aggregate: AggregateFunction, expr: Sql, cast: CastType | undefined): Sql {
  const applied = sql`${AGGREGATES[aggregate]}(${expr})`
  return cast ? castTo(applied, cast) : applied
}

/**
 * `target <op> value`. `fromText` (a data representation) turns the filter's text into the
 * column's domain, for the operators that compare with a value of the column's type.
 */
export function opExprSql(target: Sql, opExpr: OpExpr, isTsvector: boolean, fromText?: QualifiedIdentifier): Sql {
  const op = opExpr.operation
  const value = (v: string): Sql => (fromText ? sql`${qi(fromText)}(${v})` : sql`${v}`)
  let cond: Sql
  switch (op.kind) {
    case 'quant': {
      const text = op.operator === 'like' || op.operator === 'ilike' ? op.value.replaceAll('*', '%') : op.value
      if (op.quantifier === 'any') cond = sql`${target} ${QUANT_OPERATORS[op.operator]} ANY (${text})`
      else if (op.quantifier === 'all') cond = sql`${target} ${QUANT_OPERATORS[op.operator]} ALL (${text})`
      else cond = sql`${target} ${QUANT_OPERATORS[op.operator]} ${op.operator === 'eq' || op.operator === 'gt' || op.operator === 'gte' || op.operator === 'lt' || op.operator === 'lte' ? value(text) : sql`${text}`}`
      break
    }
    case 'simple':
      cond = sql`${target} ${SIMPLE_OPERATORS[op.operator]} ${op.operator === 'neq' ? value(op.value) : sql`${op.value}`}`
      break
    case 'in':
      cond = fromText
        ? sql`${target} = ANY (ARRAY(SELECT ${qi(fromText)}(pgrst_v) FROM unnest(${pgArrayLiteral(op.values)}::text[]) AS pgrst_v))`
        : sql`${target} = ANY (${pgArrayLiteral(op.values)})`
      break
    case 'is':
      cond = sql`${target} ${IS_VALUES[op.value]}`
      break
    case 'isDistinct':
      cond = sql`${target} IS DISTINCT FROM ${value(op.value)}`
      break
    case 'fts': {
      const fn = FTS_FUNCTIONS[op.operator]
      const lang = op.language === undefined ? undefined : param(op.language)
      const vector = isTsvector ? target : lang ? sql`to_tsvector(${lang}::regconfig, ${target})` : sql`to_tsvector(${target})`
      const query = lang ? sql`${fn}(${lang}::regconfig, ${op.value})` : sql`${fn}(${op.value})`
      cond = sql`${vector} @@ ${query}`
      break
    }
  }
  return opExpr.negated ? sql`NOT ${cond}` : cond
}

export function conditionSql(node: ReadNode, cond: PlanCondition): Sql {
  switch (cond.kind) {
    case 'filter':
      return opExprSql(planFieldSql(node.alias, cond.field), cond.opExpr, cond.field.isTsvector, cond.field.field.jsonPath.length === 0 ? cond.field.fromText : undefined)
    case 'embedNull': {
      const embed = node.embeds[cond.embedIndex]!
      return cond.isNull ? sql`${embedPresence(embed)} IS NULL` : sql`${embedPresence(embed)} IS NOT NULL`
    }
    case 'expr': {
      const children = cond.children.map((c) => conditionSql(node, c))
      const body = join(children, cond.operator === 'and' ? sql` AND ` : sql` OR `)
      return cond.negated ? sql`NOT (${body})` : sql`(${body})`
    }
  }
}

/** A non-null value exactly when the embed matched (for `rel=not.is.null` and `!inner`). */
function embedPresence(embed: EmbedPlan): Sql {
  return sql`${ident(embed.lateralAlias)}.${ident('pgrst_present')}`
}

export function orderSql(node: ReadNode, term: PlanOrderTerm): Sql {
  const target =
    term.target.kind === 'field'
      ? planFieldSql(node.alias, term.target.field)
      : fieldSql(node.embeds[term.target.embedIndex]!.lateralAlias, term.target.field, false)
  const direction = term.direction === 'asc' ? sql` ASC` : term.direction === 'desc' ? sql` DESC` : empty
  const nulls = term.nulls === 'first' ? sql` NULLS FIRST` : term.nulls === 'last' ? sql` NULLS LAST` : empty
  return sql`${target}${direction}${nulls}`
}

/** Join condition between the parent row and the embedded table (plus FROM items for M2M). */
function joinFor(rel: Relationship, parentAlias: string, child: ReadNode): { from: Sql; where: Sql[] } {
  if (rel.kind === 'computed') {
    return { from: sql`${qi(rel.function)}(${ident(parentAlias)}) AS ${ident(child.alias)}`, where: [] }
  }
  const childFrom = sql`${qi(child.qi)} AS ${ident(child.alias)}`
  const c = rel.cardinality
  if (c.kind === 'M2M') {
    const junction = c.junction.table
    const junctionAlias = `${child.alias}_j`
    return {
      from: sql`${childFrom}, ${qi(junction)} AS ${ident(junctionAlias)}`,
      where: [
        ...c.junction.sourceColumns.map(([j, t]) => sql`${ident(junctionAlias)}.${ident(j)} = ${ident(parentAlias)}.${ident(t)}`),
        ...c.junction.targetColumns.map(([j, f]) => sql`${ident(junctionAlias)}.${ident(j)} = ${ident(child.alias)}.${ident(f)}`),
      ],
    }
  }
  return {
    from: childFrom,
    where: c.columns.map(([t, f]) => sql`${ident(child.alias)}.${ident(f)} = ${ident(parentAlias)}.${ident(t)}`),
  }
}

/**
 * A LIMIT or OFFSET count as a literal (see integerLiteral; the read shape cache keys on them
 * already). A number past 2^53 stays a parameter, so PostgreSQL refuses it as it always did.
 */
export function rowCountSql(n: number): Sql {
  return Number.isSafeInteger(n) && n >= 0 ? integerLiteral(n) : param(n, 'bigint')
}

export function limitOffsetSql(limit: number | undefined, offset: number): Sql {
  const l = limit === undefined ? empty : sql` LIMIT ${rowCountSql(limit)}`
  const o = offset > 0 ? sql` OFFSET ${rowCountSql(offset)}` : empty
  return sql`${l}${o}`
}

/** The columns this node outputs, by name, in order: what spreads lift into their parent. */
export function outputNames(node: ReadNode): string[] {
  const names: string[] = node.star ? node.table.columns.map((c) => c.name) : []
  for (const f of node.fields) names.push(f.outputName)
  for (const e of node.embeds) {
    if (e.spread) names.push(...outputNames(e.node))
    else names.push(e.outputName)
  }
  return names
}

/** SELECT list items of a node (its own fields and its embeds' outputs). */
function selectList(node: ReadNode): Sql[] {
  const items: Sql[] = []
  if (node.star) items.push(sql`${ident(node.alias)}.*`)
  for (const f of node.fields) items.push(selectFieldSql(node.alias, f))
  for (const e of node.embeds) {
    const lateral = ident(e.lateralAlias)
    // `rel()` joins (for filters and !inner) but outputs nothing.
    if (!e.node.star && outputNames(e.node).length === 0) continue
    if (e.spread) {
      for (const name of outputNames(e.node)) {
        const hoisted = e.hoisted.find((h) => h.outputName === name)
        if (hoisted) items.push(sql`${aggregateSql(hoisted.aggregate, sql`${lateral}.${ident(name)}`, hoisted.cast)} AS ${ident(name)}`)
        else items.push(e.toOne ? sql`${lateral}.${ident(name)} AS ${ident(name)}` : sql`COALESCE(${lateral}.${ident(name)}, '[]') AS ${ident(name)}`)
      }
    } else if (e.toOne) {
      items.push(sql`${lateral}.${ident('pgrst_json')} AS ${ident(e.outputName)}`)
    } else {
      items.push(sql`COALESCE(${lateral}.${ident('pgrst_json')}, '[]') AS ${ident(e.outputName)}`)
    }
  }
  return items
}

/**
 * The lateral subquery of one embed. Every variant exposes `pgrst_present` (non-null when the embed
 * matched), so `!inner` and `rel=not.is.null` need no knowledge of the embed's columns; plain embeds
 * expose `pgrst_json`, spreads their columns by name.
 */
function lateralSql(embed: EmbedPlan, parentAlias: string): Sql {
  const inner = nodeSelect(embed.node, joinFor(embed.relationship, parentAlias, embed.node))
  const sub = ident('pgrst_sub')
  let body: Sql
  if (embed.toOne) {
    const columns = embed.spread
      ? outputNames(embed.node).map((n) => sql`${sub}.${ident(n)}`)
      : // The columns ride along so that `order=rel(col)` can sort by them with their own types.
        [sql`row_to_json(${sub}.*)::jsonb AS ${ident('pgrst_json')}`, sql`${sub}.*`]
    body = sql`SELECT ${join([sql`true AS ${ident('pgrst_present')}`, ...columns])} FROM (${inner}) AS ${sub}`
  } else {
    const columns = embed.spread
      ? outputNames(embed.node).map((n) => sql`json_agg(${sub}.${ident(n)})::jsonb AS ${ident(n)}`)
      : [sql`json_agg(${sub})::jsonb AS ${ident('pgrst_json')}`]
    body = sql`SELECT ${join([sql`CASE WHEN count(*) > 0 THEN true END AS ${ident('pgrst_present')}`, ...columns])} FROM (${inner}) AS ${sub}`
  }
  const lateral = ident(embed.lateralAlias)
  return embed.joinType === 'inner'
    ? sql` INNER JOIN LATERAL (${body}) AS ${lateral} ON ${lateral}.${ident('pgrst_present')}`
    : sql` LEFT JOIN LATERAL (${body}) AS ${lateral} ON TRUE`
}

/** GROUP BY every non-aggregated output when the node selects an aggregate. */
function groupBySql(node: ReadNode): Sql {
  const hasAggregate = node.fields.some((f) => f.kind === 'count' || f.aggregate !== undefined) || node.embeds.some((e) => e.hoisted.length > 0)
  if (!hasAggregate) return empty
  const keys: Sql[] = []
  if (node.star) keys.push(...node.table.columns.map((c) => sql`${ident(node.alias)}.${ident(c.name)}`))
  for (const f of node.fields) if (f.kind === 'field' && f.aggregate === undefined) keys.push(ident(f.outputName))
  for (const e of node.embeds) {
    if (e.spread) keys.push(...outputNames(e.node).filter((n) => !e.hoisted.some((h) => h.outputName === n)).map((n) => ident(n)))
    // `rel()` outputs nothing to group by
    else if (e.node.star || outputNames(e.node).length > 0) keys.push(ident(e.outputName))
  }
  return keys.length === 0 ? empty : sql` GROUP BY ${join(keys)}`
}

export type NodeSelectOptions = Readonly<{ withPaging: boolean; selectList?: Sql }>

/** SELECT … FROM node [laterals] WHERE join AND filters ORDER BY … LIMIT … */
export function nodeSelect(node: ReadNode, base: { from: Sql; where: Sql[] }, options: NodeSelectOptions = { withPaging: true }): Sql {
  const items = options.selectList ? [options.selectList] : selectList(node)
  const laterals = node.embeds.map((e) => lateralSql(e, node.alias))
  const conditions = [...base.where, ...node.where.map((c) => conditionSql(node, c))]
  const where = conditions.length > 0 ? sql` WHERE ${join(conditions, sql` AND `)}` : empty
  const order = options.withPaging && node.order.length > 0 ? sql` ORDER BY ${join(node.order.map((t) => orderSql(node, t)))}` : empty
  const paging = options.withPaging ? limitOffsetSql(node.limit, node.offset) : empty
  const list = items.length > 0 ? join(items) : empty
  const group = options.selectList ? empty : groupBySql(node)
  return sql`SELECT ${list} FROM ${base.from}${join(laterals, empty)}${where}${group}${order}${paging}`
}

/** The root node's query: FROM "schema"."table" AS "table". */
export function rootSelect(node: ReadNode, options?: NodeSelectOptions): Sql {
  return nodeSelect(node, { from: sql`${qi(node.qi)} AS ${ident(node.alias)}`, where: [] }, options)
}
