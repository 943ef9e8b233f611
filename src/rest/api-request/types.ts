/**
 * Stage 1 (parse) output types: the query string, Prefer and Range headers as typed values.
 * Nothing here knows the schema; names are resolved in stage 2 (plan).
 */

/** `->` keeps JSON, `->>` yields text. A numeric key is an array index (may be negative). */
export type JsonPathStep = Readonly<{ arrow: '->' | '->>'; key: string | number }>

/** A column reference with an optional JSON path: `data->a->>b`. */
export type Field = Readonly<{ name: string; jsonPath: readonly JsonPathStep[] }>

export type AggregateFunction = 'sum' | 'avg' | 'count' | 'max' | 'min'

export type SelectItem =
  | Readonly<{ kind: 'star' }>
  | Readonly<{
      kind: 'field'
      field: Field
      alias?: string
      /** `::type` on the column (or, with an aggregate, on the aggregate's input) */
      cast?: string
      aggregate?: AggregateFunction
      /** `::type` after the aggregate: `amount.avg()::int` */
      aggregateCast?: string
    }>
  /** bare `count()`, optionally aliased and cast */
  | Readonly<{ kind: 'count'; alias?: string; cast?: string }>
  | Readonly<{
      kind: 'embed'
      /** the relation name as written (table, view, FK name or FK column) */
      name: string
      alias?: string
      /** `!hint`: FK constraint name, column or junction table */
      hint?: string
      /** `!inner` / `!left` */
      joinType?: 'inner' | 'left'
      /** `...rel(cols)` */
      spread: boolean
      select: readonly SelectItem[]
    }>

export type SimpleOperator = 'neq' | 'cs' | 'cd' | 'ov' | 'sl' | 'sr' | 'nxr' | 'nxl' | 'adj'
export type QuantOperator = 'eq' | 'gte' | 'gt' | 'lte' | 'lt' | 'like' | 'ilike' | 'match' | 'imatch'
export type FtsOperator = 'fts' | 'plfts' | 'phfts' | 'wfts'
export type IsValue = 'null' | 'not_null' | 'true' | 'false' | 'unknown'

export type Operation =
  | Readonly<{ kind: 'simple'; operator: SimpleOperator; value: string }>
  /** quantifier: `eq(any).{a,b}` / `like(all).{a*,*b}`; the value is then an array literal `{a,b}` */
  | Readonly<{ kind: 'quant'; operator: QuantOperator; quantifier?: 'any' | 'all'; value: string }>
  | Readonly<{ kind: 'in'; values: readonly string[] }>
  | Readonly<{ kind: 'is'; value: IsValue }>
  | Readonly<{ kind: 'isDistinct'; value: string }>
  | Readonly<{ kind: 'fts'; operator: FtsOperator; language?: string; value: string }>

export type OpExpr = Readonly<{ negated: boolean; operation: Operation }>

export type Filter = Readonly<{ field: Field; opExpr: OpExpr }>

export type LogicTree =
  | Readonly<{ kind: 'expr'; negated: boolean; operator: 'and' | 'or'; children: readonly LogicTree[] }>
  | Readonly<{ kind: 'filter'; filter: Filter }>

export type OrderTerm = Readonly<{
  field: Field
  /** `order=rel(col)`: a related (to-one) order */
  relation?: string
  direction?: 'asc' | 'desc'
  nulls?: 'first' | 'last'
}>

/** Embed path segments (relation names or aliases); [] is the root. */
export type EmbedPath = readonly string[]

export type QueryParams = Readonly<{
  /** the root select; `select=` or no select ⇒ [{ kind: 'star' }] */
  select: readonly SelectItem[]
  filters: readonly Readonly<{ path: EmbedPath; filter: Filter }>[]
  logic: readonly Readonly<{ path: EmbedPath; tree: LogicTree }>[]
  order: readonly Readonly<{ path: EmbedPath; terms: readonly OrderTerm[] }>[]
  limits: readonly Readonly<{ path: EmbedPath; limit?: number; offset?: number }>[]
  columns?: readonly string[]
  onConflict?: readonly string[]
  /** RPC GET/HEAD only: params whose value is not an operator expression, in order (repeats kept) */
  rpcArgs: readonly (readonly [string, string])[]
  /** params sorted by key and re-encoded, for Content-Location (PostgREST's canonical query) */
  canonical: string
}>

export type Preferences = Readonly<{
  resolution?: 'merge-duplicates' | 'ignore-duplicates'
  return?: 'minimal' | 'headers-only' | 'representation'
  count?: 'exact' | 'planned' | 'estimated'
  tx?: 'commit' | 'rollback'
  missing?: 'default' | 'null'
  handling?: 'strict' | 'lenient'
  timezone?: string
  maxAffected?: number
  /** every token that was not recognised, for handling=strict (PGRST122) */
  invalid: readonly string[]
}>

/** How the body of a function call was sent, as far as choosing the function is concerned. */
export type BodyKind = 'json' | 'text' | 'xml' | 'octet' | 'other'
