/**
 * Stage 2 (plan). Chooses the one function an RPC names among its overloads, from the argument
 * names the request gives, or raises PGRST202 (none) / PGRST203 (several). Pure. Mirrors PostgREST
 * Plan.findProc (postgrest-spec.md §6.2).
 */
import { errors } from '../../errors/catalog.js'
import type { Routine, SchemaCache } from '../../schema-cache/types.js'
import { similarity } from '../../schema-cache/find-relationships.js'
import type { BodyKind } from '../api-request/types.js'


export type RoutineLookup = Readonly<{
  schema: string
  name: string
  /** argument names: JSON object keys, form keys, or query-string arguments */
  argKeys: readonly string[]
  /** POST: a single unnamed parameter may take the whole body */
  isPost: boolean
  bodyKind: BodyKind
}>

/** The type a single unnamed parameter must have to take a body of this kind. */
const RAW_BODY_TYPES: Readonly<Record<BodyKind, readonly string[]>> = {
  json: ['json', 'jsonb'],
  text: ['text'],
  xml: ['xml'],
  octet: ['bytea'],
  other: [],
}

/** A body that is an argument in itself (not a set of named ones). */
function isRawBody(lookup: RoutineLookup): boolean {
  return lookup.isPost && (lookup.bodyKind === 'text' || lookup.bodyKind === 'xml' || lookup.bodyKind === 'octet')
}

export function matchesParams(routine: Routine, argKeys: ReadonlySet<string>, rawBody: boolean): boolean {
  const params = routine.params
  if (params.length === 0) return argKeys.size === 0 && !rawBody
  const required = new Set(params.filter((p) => p.required).map((p) => p.name))
  const optional = new Set(params.filter((p) => !p.required).map((p) => p.name))
  // keys that are not optional parameters must be exactly the required ones
  const rest = [...argKeys].filter((k) => !optional.has(k))
  return rest.length === required.size && rest.every((k) => required.has(k))
}

export function takesWholeBody(routine: Routine, lookup: RoutineLookup): boolean {
  if (!lookup.isPost || routine.params.length !== 1) return false
  const param = routine.params[0]!
  return param.name === '' && RAW_BODY_TYPES[lookup.bodyKind].includes(param.type)
}

export function findRoutine(cache: SchemaCache, lookup: RoutineLookup): Routine {
  const overloads = cache.routines.get(`${lookup.schema}.${lookup.name}`) ?? []
  const keys = new Set(lookup.argKeys)
  const rawBody = isRawBody(lookup)
  const named = overloads.filter((r) => matchesParams(r, keys, rawBody))
  if (named.length === 1) return named[0]!
  if (named.length > 1) throw ambiguous(named)
  const fallback = overloads.filter((r) => takesWholeBody(r, lookup))
  if (fallback.length === 1) return fallback[0]!
  if (fallback.length > 1) throw ambiguous(fallback)
  throw noRpc(cache, lookup, overloads)
}

function ambiguous(routines: readonly Routine[]): Error {
  return errors.ambiguousRpc(
    routines.map((r) => `${r.schema}.${r.name}(${r.params.map((p) => `${p.name} => ${p.type}`).join(', ')})`),
  )
}

/** PGRST202 with PostgREST's message, details and "Perhaps you meant" hint. */
function noRpc(cache: SchemaCache, lookup: RoutineLookup, overloads: readonly Routine[]): Error {
  const fn = `${lookup.schema}.${lookup.name}`
  const keys = [...new Set(lookup.argKeys)].sort()
  const list = keys.join(', ')
  const withParams = (text: string) => (keys.length === 0 ? ' without parameters' : text)
  const onlySingle = isRawBody(lookup)
  const message = `Could not find the function ${fn}${onlySingle ? '' : withParams(`(${list})`)} in the schema cache`
  const searched = withParams(` with parameter${keys.length > 1 ? 's' : ''} ${list}`)
  let detail: string
  if (lookup.isPost && lookup.bodyKind === 'text') detail = ' with a single unnamed text parameter'
  else if (lookup.isPost && lookup.bodyKind === 'xml') detail = ' with a single unnamed xml parameter'
  else if (lookup.isPost && lookup.bodyKind === 'octet') detail = ' with a single unnamed bytea parameter'
  else if (lookup.isPost && lookup.bodyKind === 'json') detail = `${searched} or with a single unnamed json/jsonb parameter`
  else detail = searched
  const details = `Searched for the function ${fn}${detail}, but no matches were found in the schema cache.`
  return errors.noRpc(message, details, onlySingle ? null : noRpcHint(cache, lookup, keys, overloads))
}

/** Below this, a candidate is too far from what was asked to be worth suggesting. */
const HINT_THRESHOLD = 0.35

function best(candidates: readonly string[], target: string): string | undefined {
  let found: string | undefined
  let score = 0
  for (const candidate of candidates) {
    const s = similarity(candidate, target)
    if (s > score) {
      score = s
      found = candidate
    }
  }
  return score >= HINT_THRESHOLD ? found : undefined
}

/**
 * No function of that name: the closest function name in the schema. Some of that name: the
 * closest parameter list among its overloads, written `fn(a, b)` with the names sorted.
 */
function noRpcHint(cache: SchemaCache, lookup: RoutineLookup, keys: readonly string[], overloads: readonly Routine[]): string | null {
  const prefix = `Perhaps you meant to call the function ${lookup.schema}.`
  if (overloads.length === 0) {
    const names = [...cache.routines.values()].flatMap((rs) => rs.filter((r) => r.schema === lookup.schema).map((r) => r.name))
    const name = best([...new Set(names)], lookup.name)
    return name === undefined ? null : `${prefix}${name}`
  }
  const lists = overloads.map((r) => `(${r.params.map((p) => p.name).sort().join(', ')})`)
  const list = best(lists, `(${keys.join(', ')})`)
  return list === undefined ? null : `${prefix}${lookup.name}${list}`
}
