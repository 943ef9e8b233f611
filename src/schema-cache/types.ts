/**
 * The schema cache: what the planner knows about the database. An immutable value, built by
 * load-schema-cache.ts and swapped whole on reload. Mirrors PostgREST SchemaCache.hs.
 */
import type { QualifiedIdentifier } from '../sql/fragment.js'

export type { QualifiedIdentifier }

export type Column = Readonly<{
  name: string
  /** format_type of the column, e.g. `integer`, `text`, `character varying(20)`, `timestamp with time zone` */
  type: string
  /** the base type's name when the column is a domain, else same as `type` without modifiers (e.g. `varchar`→`character varying`) */
  baseType: string
  nullable: boolean
  /** the default expression as text (identity columns: `nextval(...)`-like text or `generated ... as identity`), or null */
  default: string | null
  maxLength: number | null
  /** labels when the type is an enum, else [] */
  enumValues: readonly string[]
  description: string | null
  /** true when the column's type is json or jsonb (for JSON arrows) */
  isJson: boolean
  /** true when the column's type is tsvector (full-text search needs no to_tsvector) */
  isTsvector: boolean
  /**
   * Data representations (PostgREST's): implicit casts of the column's domain to json (its output),
   * from json (what a written value becomes) and from text (what a filter value becomes); null when none.
   */
  toJson?: QualifiedIdentifier | null
  fromJson?: QualifiedIdentifier | null
  fromText?: QualifiedIdentifier | null
}>

export type TableKind = 'table' | 'view' | 'materializedView' | 'foreignTable' | 'partitionedTable'

export type Table = Readonly<{
  schema: string
  name: string
  kind: TableKind
  description: string | null
  insertable: boolean
  updatable: boolean
  deletable: boolean
  /** primary key column names (views: derived from base tables), in key order */
  primaryKey: readonly string[]
  /** in attnum order */
  columns: readonly Column[]
}>

/** Columns pair as [column of `table`, column of `foreignTable`]. */
export type ColumnPairs = readonly (readonly [string, string])[]

export type Junction = Readonly<{
  table: QualifiedIdentifier
  /** FK from the junction to `table` */
  constraint1: string
  /** FK from the junction to `foreignTable` */
  constraint2: string
  /** [junction column, table column] */
  sourceColumns: ColumnPairs
  /** [junction column, foreign table column] */
  targetColumns: ColumnPairs
}>

export type Cardinality =
  | Readonly<{ kind: 'M2O'; constraint: string; columns: ColumnPairs }>
  | Readonly<{ kind: 'O2M'; constraint: string; columns: ColumnPairs }>
  /** isParent: true on the referenced side of the FK */
  | Readonly<{ kind: 'O2O'; constraint: string; columns: ColumnPairs; isParent: boolean }>
  | Readonly<{ kind: 'M2M'; junction: Junction }>

export type Relationship =
  | Readonly<{
      kind: 'foreignKey'
      table: QualifiedIdentifier
      foreignTable: QualifiedIdentifier
      isSelf: boolean
      cardinality: Cardinality
      tableIsView: boolean
      foreignTableIsView: boolean
    }>
  | Readonly<{
      /** a function `fn(table_row) returns [setof] other_table`: `select=*,fn(*)` */
      kind: 'computed'
      function: QualifiedIdentifier
      table: QualifiedIdentifier
      foreignTable: QualifiedIdentifier
      isSelf: boolean
      /** true for SETOF without ROWS 1 */
      toMany: boolean
    }>

export type RoutineParam = Readonly<{
  name: string
  /** format_type of the argument */
  type: string
  /** the type to cast a value to: without a length, so `character` is `bpchar` (any length) */
  castType: string
  required: boolean
  variadic: boolean
}>

export type RoutineReturn =
  | Readonly<{ kind: 'scalar'; type: string; setOf: boolean }>
  /** a table/view/composite row type; `relation` names it */
  | Readonly<{ kind: 'composite'; relation: QualifiedIdentifier; setOf: boolean; isRecord: boolean }>
  | Readonly<{ kind: 'void' }>

export type Routine = Readonly<{
  schema: string
  name: string
  description: string | null
  params: readonly RoutineParam[]
  returns: RoutineReturn
  volatility: 'immutable' | 'stable' | 'volatile'
  /** `ROWS 1` or not SETOF */
  returnsSingle: boolean
  /** its `SET` clauses that apply to the whole transaction of a call (db-hoisted-tx-settings) */
  hoistedSettings: readonly (readonly [string, string])[]
}>

export type SchemaCache = Readonly<{
  /** exposed schemas, first is the default */
  schemas: readonly string[]
  /** key: `schema.name` via tableKey() */
  tables: ReadonlyMap<string, Table>
  /** key: tableKey(relationship.table) → every relationship starting at that table or view */
  relationships: ReadonlyMap<string, readonly Relationship[]>
  /** key: `schema.name` → overloads */
  routines: ReadonlyMap<string, readonly Routine[]>
  /** pg_timezone_names, for `Prefer: timezone=` */
  timezones?: ReadonlySet<string>
  /** role → its own settings (ALTER ROLE ... SET) a request running as it applies: statement_timeout */
  roleSettings?: ReadonlyMap<string, readonly (readonly [string, string])[]>
  /** tableKey → role → the columns that role may read, for roles with column-level SELECT only */
  columnGrants?: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>
  /** key: mediaHandlerKey(target, media type) */
  mediaHandlers?: ReadonlyMap<string, MediaHandler>
}>

/**
 * A media type handler (PostgREST's): an aggregate that renders a relation's rows, or a domain a
 * function returns, in the media type the domain is named after.
 */
export type MediaHandler = Readonly<{
  kind: 'aggregate' | 'function'
  /** the aggregate, or the domain to cast a function's value to */
  function: QualifiedIdentifier
  /** an aggregate's relation, whose row type the rows are cast to; undefined for anyelement */
  target?: QualifiedIdentifier
  /** lower-cased domain name: `text/plain`, `application/vnd.twkb`, or star-slash-star */
  mediaType: string
  /** over bytea: the body is bytes, not text */
  binary: boolean
}>

/** target: a relation or function, or undefined for every relation (an aggregate over anyelement). */
export function mediaHandlerKey(target: QualifiedIdentifier | undefined, mediaType: string): string {
  return `${target ? tableKey(target) : '*'}\u0000${mediaType}`
}

export function tableKey(id: QualifiedIdentifier): string {
  return `${id.schema}.${id.name}`
}
