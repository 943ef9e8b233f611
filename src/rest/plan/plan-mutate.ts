/**
 * Stage 2 (plan). POST/PATCH/PUT/DELETE on a table or view → MutatePlan: the payload validated
 * against the table's columns, root filters moved into the mutation, the representation planned as a
 * read over the mutated rows, and the Prefer header resolved. Pure. Mirrors PostgREST Plan.hs
 * (mutatePlan) and ApiRequest/Preferences.hs.
 */
import type { AppConfig } from '../../config/app-config.js'
import { errors } from '../../errors/catalog.js'
import type { SchemaCache, Table } from '../../schema-cache/types.js'
import type { ApiRequest } from '../api-request/api-request.js'
import type { Payload, Row } from '../api-request/payload.js'
import { findTableOrThrow } from './find-table.js'
import { negotiate, selectsDefault, singleColumn } from './negotiate.js'
import { planReadTree } from './plan-read.js'
import { planTransaction } from './plan-transaction.js'
import { preferenceApplied } from './preference-applied.js'
import { resolveTimezone } from './resolve-timezone.js'
import type { MutatePlan, ReadNode } from './types.js'

export function planMutate(request: ApiRequest, cache: SchemaCache, config: AppConfig, role?: string): MutatePlan {
  if (request.target.kind !== 'relation') throw errors.invalidPath()
  const table = findTableOrThrow(cache, request.schema, request.target.name)
  const prefs = request.preferences
  const isPut = request.method === 'PUT'
  const mutation = request.method === 'DELETE' ? 'delete' : request.method === 'PATCH' ? 'update' : 'insert'

  const { root } = planReadTree(request, cache, table, { maxRows: undefined, aggregatesEnabled: config.aggregatesEnabled, txEnd: config.txEnd, ...(role === undefined ? {} : { role }) })
  const rootLimits = request.query.limits.find((l) => l.path.length === 0)
  if (isPut && rootLimits && (rootLimits.limit !== undefined || rootLimits.offset !== undefined)) throw errors.putLimitNotAllowed()

  const columnsParam = request.query.columns
  const payload: Payload = request.payload?.kind === 'rows' ? request.payload.rows : { rows: [], isArray: false, keys: [] }
  const columns = columnsParam ?? payload.keys
  for (const column of columns) {
    if (!table.columns.some((c) => c.name === column)) throw errors.columnNotFound(table.name, column)
  }

  if (isPut) checkPutFilters(request, table)
  const onConflict = conflictTarget(request, table, isPut)
  const rows = mutation === 'update' ? payload.rows.slice(0, 1) : payload.rows
  const missingDefault = prefs.missing === 'default' && mutation === 'insert' && !isPut

  const timezone = resolveTimezone(prefs, cache)
  const returning = prefs.return ?? 'minimal'
  const mediaType = negotiate(request, { cache, target: root.qi, defaultSelect: selectsDefault(request), raw: singleColumn(root) })
  const transaction = planTransaction(request, config.txEnd, {
    readOnly: false,
    mediaType,
    exactlyOne: isPut,
    honoursMaxAffected: mutation !== 'insert',
  })
  return {
    kind: 'mutate',
    mutation,
    table,
    qi: root.qi,
    columns,
    payloadGroups: missingDefault ? groupByKeys(rows, columns) : [{ columns, json: JSON.stringify(rows) }],
    // PATCH with {} and POST with [] write nothing, and run nothing.
    noop: (mutation === 'update' && columns.length === 0) || (mutation === 'insert' && rows.length === 0),
    where: root.where,
    onConflict,
    isPut,
    returning,
    representation: representationNode(root, table),
    mediaType,
    count: prefs.count,
    preferenceApplied: preferenceApplied(request, {
      resolution: request.method === 'POST' && (onConflict !== undefined || table.primaryKey.length > 0),
      missing: missingDefault || (prefs.missing === 'null' && (request.method === 'POST' || request.method === 'PATCH')),
      return: true,
      timezone,
      transaction,
    }),
    timezone,
    transaction,
    isArrayPayload: payload.isArray,
  }
}

/** Rows grouped by which of the columns they carry, so absent keys get each column's DEFAULT. */
function groupByKeys(rows: readonly Row[], columns: readonly string[]): MutatePlan['payloadGroups'] {
  const groups = new Map<string, { columns: string[]; rows: Row[] }>()
  for (const row of rows) {
    const present = columns.filter((c) => Object.prototype.hasOwnProperty.call(row, c))
    const key = JSON.stringify(present)
    const group = groups.get(key) ?? { columns: present, rows: [] }
    group.rows.push(row)
    groups.set(key, group)
  }
  if (groups.size === 0) return [{ columns, json: '[]' }]
  return [...groups.values()].map((g) => ({ columns: g.columns, json: JSON.stringify(g.rows) }))
}

/** The representation reads the mutated rows: no root filters (they were the mutation's), no paging. */
function representationNode(root: ReadNode, table: Table): ReadNode {
  return {
    ...root,
    // Explicit columns rather than `*`, so bookkeeping columns of the mutation stay out of the body.
    star: false,
    fields: root.star
      ? [
          ...table.columns.map((c) => ({
            kind: 'field' as const,
            field: { field: { name: c.name, jsonPath: [] }, isJson: c.isJson, isTsvector: c.isTsvector, ...(c.toJson ? { toJson: c.toJson } : {}) },
            outputName: c.name,
          })),
          ...root.fields,
        ]
      : root.fields,
    where: root.where.filter((c) => c.kind === 'embedNull'),
    limit: undefined,
    offset: 0,
  }
}

/** PUT: filters must be exactly the primary key columns, each with a plain eq (PGRST105). */
function checkPutFilters(request: ApiRequest, table: Table): void {
  const rootFilters = request.query.filters.filter((f) => f.path.length === 0)
  const pk = table.primaryKey
  const ok =
    pk.length > 0 &&
    request.query.logic.length === 0 &&
    rootFilters.length === pk.length &&
    rootFilters.every(
      (f) =>
        f.filter.field.jsonPath.length === 0 &&
        !f.filter.opExpr.negated &&
        f.filter.opExpr.operation.kind === 'quant' &&
        f.filter.opExpr.operation.operator === 'eq' &&
        f.filter.opExpr.operation.quantifier === undefined,
    ) &&
    new Set(rootFilters.map((f) => f.filter.field.name)).size === pk.length &&
    rootFilters.every((f) => pk.includes(f.filter.field.name))
  if (!ok) throw errors.invalidFilters()
}

function conflictTarget(request: ApiRequest, table: Table, isPut: boolean): MutatePlan['onConflict'] {
  if (isPut) return { columns: table.primaryKey, resolution: 'merge' }
  const resolution = request.preferences.resolution
  if (request.method !== 'POST' || resolution === undefined) return undefined
  const columns = request.query.onConflict ?? table.primaryKey
  if (columns.length === 0) return undefined
  for (const column of columns) if (!table.columns.some((c) => c.name === column)) throw errors.columnNotFound(table.name, column)
  return { columns, resolution: resolution === 'merge-duplicates' ? 'merge' : 'ignore' }
}
