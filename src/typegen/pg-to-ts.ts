/**
 * A PostgreSQL type, named as the schema cache names it (`integer`, `text[]`, `public.mood`), to the
 * TypeScript type of its value in the Data API's JSON: what `to_json` makes of it. Enums and
 * composite types of the generated schemas are referenced in the `Database` type; those of other
 * schemas are written out (enums) or left `unknown`.
 */
import type { UserType } from './typegen-catalog.js'

/** Where a relation of the generated schemas lives in the `Database` type. */
export type RelationPlace = 'Tables' | 'Views'

export type TypeContext = Readonly<{
  /** the schemas being generated */
  schemas: ReadonlySet<string>
  /** user types by the name the catalog gives them */
  types: ReadonlyMap<string, UserType>
  /** `schema.name` → where that relation's Row type is, for relations of the generated schemas */
  relations: ReadonlyMap<string, RelationPlace>
}>

const NUMBER = new Set(['smallint', 'integer', 'bigint', 'real', 'double precision', 'numeric', 'oid'])

const STRING = new Set([
  'text',
  'character varying',
  'character',
  '"char"',
  'name',
  'citext',
  'uuid',
  'date',
  'time without time zone',
  'time with time zone',
  'timestamp without time zone',
  'timestamp with time zone',
  'interval',
  'bytea',
  'money',
  'inet',
  'cidr',
  'macaddr',
  'macaddr8',
  'bit',
  'bit varying',
  'xml',
  'tsvector',
  'tsquery',
  'pg_lsn',
  'regclass',
  'regproc',
  'regprocedure',
  'regtype',
  'regrole',
  'regnamespace',
  'regconfig',
  'int4range',
  'int8range',
  'numrange',
  'tsrange',
  'tstzrange',
  'daterange',
  'int4multirange',
  'int8multirange',
  'nummultirange',
  'tsmultirange',
  'tstzmultirange',
  'datemultirange',
])

/** A type that needs no parentheses before `[]`: a name, or a path into Database, perhaps already an array. */
const SIMPLE_TYPE = /^(?:[\w$]+|Database(?:\["(?:[^"\\]|\\.)*"\])+)(?:\[\])*$/

/** `Database["schema"]["Enums"]["name"]`: a path into the generated type. */
export function databasePath(...keys: readonly string[]): string {
  return `Database${keys.map((k) => `[${JSON.stringify(k)}]`).join('')}`
}

/** The labels as a union of string literals (`never` for an enum without labels). */
export function literalUnion(labels: readonly string[]): string {
  return labels.length === 0 ? 'never' : labels.map((l) => JSON.stringify(l)).join(' | ')
}

/** Type names the catalog qualifies carry their schema; built-in ones (pg_catalog) do not. */
function unqualifiedName(type: string): string {
  const match = /^(?:"(?:[^"]|"")+"|[^".]+)\.(.+)$/.exec(type)
  return match ? match[1]! : type
}

export function tsType(type: string, context: TypeContext, depth = 0): string {
  if (type.endsWith('[]')) {
    const element = tsType(type.slice(0, -2), context, depth)
    return `${SIMPLE_TYPE.test(element) ? element : `(${element})`}[]`
  }
  const user = context.types.get(type)
  if (user && depth < 16) return userType(user, context, depth)
  if (NUMBER.has(type)) return 'number'
  if (type === 'boolean') return 'boolean'
  if (type === 'json' || type === 'jsonb') return 'Json'
  if (type === 'void') return 'undefined'
  if (type === 'record') return 'Record<string, unknown>'
  if (STRING.has(type) || STRING.has(unqualifiedName(type))) return 'string'
  return 'unknown'
}

function userType(user: UserType, context: TypeContext, depth: number): string {
  const generated = context.schemas.has(user.schema)
  switch (user.kind) {
    case 'enum':
      return generated ? databasePath(user.schema, 'Enums', user.name) : literalUnion(user.labels)
    case 'domain':
      return user.base === null ? 'unknown' : tsType(user.base, context, depth + 1)
    case 'composite':
      return generated ? databasePath(user.schema, 'CompositeTypes', user.name) : 'Record<string, unknown>'
    case 'row': {
      const place = context.relations.get(`${user.schema}.${user.name}`)
      return place ? databasePath(user.schema, place, user.name, 'Row') : 'Record<string, unknown>'
    }
    default:
      return 'unknown'
  }
}
