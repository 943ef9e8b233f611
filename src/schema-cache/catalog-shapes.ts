/**
 * Schema cache: the shapes of the catalog queries' JSON columns (catalog-queries.ts), checked with
 * zod when they are decoded, and the Catalog they make together.
 */
import { z } from 'zod'

const keyColumn = z.object({ num: z.number(), name: z.string() })
const qualified = z.object({ schema: z.string(), name: z.string() })

export const rawColumn = z.object({
  num: z.number(),
  name: z.string(),
  type: z.string(),
  baseType: z.string(),
  nullable: z.boolean(),
  default: z.string().nullable(),
  maxLength: z.number().nullable(),
  enumValues: z.array(z.string()),
  description: z.string().nullable(),
  isJson: z.boolean(),
  isTsvector: z.boolean(),
  toJson: qualified.nullable(),
  fromJson: qualified.nullable(),
  fromText: qualified.nullable(),
})

export const rawColumnGrant = z.object({ schema: z.string(), table: z.string(), role: z.string(), columns: z.array(z.string()) })

export const rawRelation = z.object({
  oid: z.number(),
  schema: z.string(),
  name: z.string(),
  relkind: z.enum(['r', 'v', 'm', 'f', 'p']),
  description: z.string().nullable(),
  updatableMask: z.number().nullable(),
  columns: z.array(rawColumn),
})

export const rawConstraint = z.object({
  name: z.string(),
  type: z.enum(['p', 'u', 'f']),
  relation: z.number(),
  schema: z.string(),
  table: z.string(),
  columns: z.array(keyColumn),
  foreignRelation: z.number(),
  foreignSchema: z.string().nullable(),
  foreignTable: z.string().nullable(),
  foreignColumns: z.array(keyColumn),
})

export const rawView = z.object({ oid: z.number(), definition: z.string() })

export const rawRoutine = z.object({
  oid: z.number(),
  schema: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  argTypes: z.array(z.string()),
  argCastTypes: z.array(z.string()),
  argModes: z.array(z.string()).nullable(),
  argNames: z.array(z.string()).nullable(),
  inputArgCount: z.number(),
  defaultCount: z.number(),
  setOf: z.boolean(),
  rows: z.number(),
  volatility: z.enum(['i', 's', 'v']),
  /** `SET name = value` clauses of the function, as `name=value` */
  settings: z.array(z.string()).nullable(),
  returnType: z.string(),
  returnKind: z.enum(['void', 'composite', 'record', 'scalar']),
  returnSchema: z.string().nullable(),
  returnName: z.string().nullable(),
})

export const rawComputed = z.object({
  schema: z.string(),
  name: z.string(),
  tableSchema: z.string(),
  tableName: z.string(),
  foreignSchema: z.string(),
  foreignName: z.string(),
  setOf: z.boolean(),
  rows: z.number(),
})

export const rawMediaHandler = z.object({
  kind: z.enum(['aggregate', 'function']),
  /** the aggregate, or (function handlers) the domain the function returns */
  schema: z.string(),
  name: z.string(),
  /** the relation (aggregates) or function it handles; null = every relation (anyelement) */
  targetSchema: z.string().nullable(),
  targetName: z.string().nullable(),
  mediaType: z.string(),
  binary: z.boolean(),
})

export type RawColumn = z.infer<typeof rawColumn>
export type RawMediaHandler = z.infer<typeof rawMediaHandler>
export type RawColumnGrant = z.infer<typeof rawColumnGrant>
export type RawRelation = z.infer<typeof rawRelation>
export type RawConstraint = z.infer<typeof rawConstraint>
export type RawView = z.infer<typeof rawView>
export type RawRoutine = z.infer<typeof rawRoutine>
export type RawComputed = z.infer<typeof rawComputed>

/** Everything the catalog queries return, decoded; the input of the pure assembly step. */
export type Catalog = Readonly<{
  relations: readonly RawRelation[]
  constraints: readonly RawConstraint[]
  views: readonly RawView[]
  routines: readonly RawRoutine[]
  computed: readonly RawComputed[]
  mediaHandlers: readonly RawMediaHandler[]
  columnGrants: readonly RawColumnGrant[]
}>
