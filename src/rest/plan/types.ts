/**
 * Stage 2 (plan) output: the request with every name resolved against the schema cache, ready to be
 * turned into SQL. Mirrors PostgREST Plan/Types.hs.
 */
import type { MediaType } from '../api-request/media-type.js'
import type { AggregateFunction, Field, OpExpr } from '../api-request/types.js'
import type { CastType, QualifiedIdentifier } from '../../sql/fragment.js'
import type { Relationship, Routine, RoutineParam, SchemaCache, Table } from '../../schema-cache/types.js'

/** A column (or computed field) reference with what SQL generation needs to know about its type. */
export type PlanField = Readonly<{
  field: Field
  isJson: boolean
  isTsvector: boolean
  /** data representation: the cast function rendering the column's domain as json */
  toJson?: QualifiedIdentifier
  /** data representation: the cast function turning a filter's text into the column's domain */
  fromText?: QualifiedIdentifier
}>

export type SelectField =
  | Readonly<{ kind: 'field'; field: PlanField; outputName: string; cast?: CastType; aggregate?: AggregateFunction; aggregateCast?: CastType }>
  | Readonly<{ kind: 'count'; outputName: string; cast?: CastType }>

export type PlanCondition =
  | Readonly<{ kind: 'expr'; negated: boolean; operator: 'and' | 'or'; children: readonly PlanCondition[] }>
  | Readonly<{ kind: 'filter'; field: PlanField; opExpr: OpExpr }>
  /** `rel=is.null` / `rel=not.is.null` on an embedded resource */
  | Readonly<{ kind: 'embedNull'; embedIndex: number; isNull: boolean }>

export type PlanOrderTerm = Readonly<{
  target: Readonly<{ kind: 'field'; field: PlanField }> | Readonly<{ kind: 'related'; embedIndex: number; field: Field }>
  direction?: 'asc' | 'desc'
  nulls?: 'first' | 'last'
}>

export type ReadNode = Readonly<{
  table: Table
  qi: QualifiedIdentifier
  /** the SQL alias of this node's table */
  alias: string
  fields: readonly SelectField[]
  /** expand `*` into the table's columns */
  star: boolean
  embeds: readonly EmbedPlan[]
  where: readonly PlanCondition[]
  order: readonly PlanOrderTerm[]
  limit: number | undefined
  offset: number
}>

export type EmbedPlan = Readonly<{
  /** the key in the output object: alias or relation name */
  outputName: string
  relationship: Relationship
  toOne: boolean
  joinType: 'left' | 'inner'
  spread: boolean
  /** the SQL alias of the lateral subquery */
  lateralAlias: string
  /** to-one spreads: aggregates over their columns, applied by the parent */
  hoisted: readonly HoistedAggregate[]
  node: ReadNode
}>

export type HoistedAggregate = Readonly<{ outputName: string; aggregate: AggregateFunction; cast?: CastType }>

/** How the request's transaction runs and ends (plan-transaction.ts); enforced by the execute stage. */
export type TransactionPlan = Readonly<{
  readOnly: boolean
  end: 'commit' | 'rollback'
  /** the result must be exactly one row (PGRST116) */
  singular: boolean
  /** the statement must write exactly one row (PUT, PGRST115) */
  exactlyOne: boolean
  /** more affected rows fail the request (PGRST124) */
  maxAffected: number | undefined
  /** settings applied to the transaction: a called function's hoisted ones (`SET statement_timeout = …`) */
  settings: readonly (readonly [string, string])[]
}>

/** What reads and function calls answer with: rows rendered in a media type, counted, paged. */
type RowsAnswer = Readonly<{
  mediaType: MediaType
  headOnly: boolean
  count: 'exact' | 'planned' | 'estimated' | undefined
  /** max-rows, above which `count=estimated` takes the planner's estimate */
  maxRows: number | undefined
  hasAggregates: boolean
  /** the zone of `Prefer: timezone=` when it applies */
  timezone: string | undefined
  /** for Preference-Applied */
  preferenceApplied: readonly string[]
  transaction: TransactionPlan
}>

export type ReadPlan = RowsAnswer & Readonly<{ kind: 'read'; root: ReadNode }>

export type MutatePlan = Readonly<{
  kind: 'mutate'
  mutation: 'insert' | 'update' | 'delete'
  table: Table
  qi: QualifiedIdentifier
  /** the columns the payload writes, in order */
  columns: readonly string[]
  /** the payload rows as JSON text, bound as one parameter; groups when missing=default splits key sets */
  payloadGroups: readonly Readonly<{ columns: readonly string[]; json: string }>[]
  /** PATCH with `{}`: nothing to update, nothing runs */
  noop: boolean
  /** root filters: the mutation's WHERE (update/delete) or PUT's key match */
  where: readonly PlanCondition[]
  onConflict: Readonly<{ columns: readonly string[]; resolution: 'merge' | 'ignore' }> | undefined
  isPut: boolean
  /** what the response carries */
  returning: 'minimal' | 'headers-only' | 'representation'
  /** the representation, read over the mutated rows */
  representation: ReadNode
  mediaType: MediaType
  count: 'exact' | 'planned' | 'estimated' | undefined
  preferenceApplied: readonly string[]
  timezone: string | undefined
  transaction: TransactionPlan
  /** the payload was an array: the representation stays one */
  isArrayPayload: boolean
}>

export type CallArgs =
  /** POST with named arguments: the JSON object, read back with json_to_record for these params */
  | Readonly<{ kind: 'json'; json: string; params: readonly RoutineParam[] }>
  /** GET/HEAD: each argument bound as `name := $n::type` (variadic: an array literal) */
  | Readonly<{ kind: 'direct'; args: readonly Readonly<{ param: RoutineParam; value: string }>[] }>
  /** a single unnamed json/jsonb/text/xml/bytea parameter takes the whole body */
  | Readonly<{ kind: 'single'; param: RoutineParam; value: string | Buffer }>

export type CallShape = 'void' | 'scalar' | 'setOfScalar' | 'composite' | 'setOfComposite'

/** A function call; its transaction is read-only for GET/HEAD, and for POST unless the function is volatile. */
export type CallPlan = RowsAnswer &
  Readonly<{
    kind: 'call'
    routine: Routine
    args: CallArgs
    shape: CallShape
    /** composite results: the read tree whose root FROM is the call; undefined for scalars and void */
    root: ReadNode | undefined
    /** scalar sets: limit/offset (Range); composite results carry theirs in `root` */
    limit: number | undefined
    offset: number
  }>

export type OpenApiPlan = Readonly<{
  kind: 'openapi'
  schema: string
  followPrivileges: boolean
  cache: SchemaCache
  /** `/{db}/rest/v1`, or the proxy URI's path */
  basePath: string
  /** from DATA_API_OPENAPI_SERVER_PROXY_URI: where clients reach the API, instead of the request's Host */
  proxy: Readonly<{ scheme: string; host: string }> | undefined
  securityActive: boolean
  mediaType: MediaType
  headOnly: boolean
  transaction: TransactionPlan
}>

/** Everything a request can turn into; each stage switches over `kind`. */
export type ActionPlan = ReadPlan | MutatePlan | CallPlan | OpenApiPlan
