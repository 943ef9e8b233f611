/**
 * Stage 3 (build SQL). Closed tables of the SQL that filter operators become. Nothing a client
 * sends is ever placed into SQL text except through these tables.
 */
import type { FtsOperator, IsValue, QuantOperator, SimpleOperator } from '../api-request/types.js'
import { sql, type Sql } from '../../sql/fragment.js'

export const QUANT_OPERATORS = {
  eq: sql`=`,
  gte: sql`>=`,
  gt: sql`>`,
  lte: sql`<=`,
  lt: sql`<`,
  like: sql`like`,
  ilike: sql`ilike`,
  match: sql`~`,
  imatch: sql`~*`,
} as const satisfies Record<QuantOperator, Sql>

export const SIMPLE_OPERATORS = {
  neq: sql`<>`,
  cs: sql`@>`,
  cd: sql`<@`,
  ov: sql`&&`,
  sl: sql`<<`,
  sr: sql`>>`,
  nxr: sql`&<`,
  nxl: sql`&>`,
  adj: sql`-|-`,
} as const satisfies Record<SimpleOperator, Sql>

export const FTS_FUNCTIONS = {
  fts: sql`to_tsquery`,
  plfts: sql`plainto_tsquery`,
  phfts: sql`phraseto_tsquery`,
  wfts: sql`websearch_to_tsquery`,
} as const satisfies Record<FtsOperator, Sql>

export const IS_VALUES = {
  null: sql`IS NULL`,
  not_null: sql`IS NOT NULL`,
  true: sql`IS TRUE`,
  false: sql`IS FALSE`,
  unknown: sql`IS UNKNOWN`,
} as const satisfies Record<IsValue, Sql>
