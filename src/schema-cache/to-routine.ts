/**
 * Schema cache, pure: the functions of the exposed schemas as the API sees them (which are
 * callable, their parameters, the shape of their result). Mirrors PostgREST SchemaCache.hs
 * (allFunctions) and postgrest-spec.md §6.1.
 */
import type { RawRoutine } from './catalog-shapes.js'
import { groupBy } from './group-by.js'
import type { Routine, RoutineParam, RoutineReturn } from './types.js'
import { tableKey } from './types.js'

/** Types a single unnamed argument may have: the whole request body is passed to it. */
const RAW_BODY_TYPES: ReadonlySet<string> = new Set(['json', 'jsonb', 'text', 'xml', 'bytea'])

const VOLATILITY = { i: 'immutable', s: 'stable', v: 'volatile' } as const

/**
 * PostgREST's default db-hoisted-tx-settings: set on a function, these apply to the transaction
 * that calls it, so a statement_timeout covers the whole statement. (A function's
 * default_transaction_isolation would choose the isolation level, which only a BEGIN can set; it is
 * left to apply inside the function.)
 */
const HOISTED: ReadonlySet<string> = new Set(['statement_timeout', 'plan_filter.statement_cost_limit'])

function hoistedSettings(config: readonly string[] | null): [string, string][] {
  const out: [string, string][] = []
  for (const entry of config ?? []) {
    const eq = entry.indexOf('=')
    if (eq > 0 && HOISTED.has(entry.slice(0, eq))) out.push([entry.slice(0, eq), entry.slice(eq + 1)])
  }
  return out
}

/** The routine as the API sees it, or null when PostgREST would not expose it (see spec §6.1). */
export function toRoutine(raw: RawRoutine): Routine | null {
  const modes = raw.argModes ?? raw.argTypes.map(() => 'i')
  const names = raw.argNames ?? []
  const params: RoutineParam[] = []
  raw.argTypes.forEach((type, i) => {
    const mode = modes[i] ?? 'i'
    if (mode !== 'i' && mode !== 'b' && mode !== 'v') return
    params.push({
      name: names[i] ?? '',
      type,
      castType: raw.argCastTypes[i] ?? type,
      // defaults always belong to the last input arguments
      required: params.length < raw.inputArgCount - raw.defaultCount,
      variadic: mode === 'v',
    })
  })
  const unnamed = params.filter((p) => p.name === '')
  if (unnamed.length > 1) return null
  if (unnamed.length === 1 && !RAW_BODY_TYPES.has(unnamed[0]!.type)) return null

  return {
    schema: raw.schema,
    name: raw.name,
    description: raw.description,
    params,
    returns: routineReturn(raw, modes.some((m) => m === 'o' || m === 'b' || m === 't')),
    volatility: VOLATILITY[raw.volatility],
    returnsSingle: !raw.setOf || raw.rows === 1,
    hoistedSettings: hoistedSettings(raw.settings),
  }
}

function routineReturn(raw: RawRoutine, hasOutputArgs: boolean): RoutineReturn {
  const anonymousRecord: RoutineReturn = {
    kind: 'composite',
    relation: { schema: '', name: '' },
    setOf: raw.setOf,
    isRecord: true,
  }
  switch (raw.returnKind) {
    case 'void':
      return { kind: 'void' }
    case 'composite':
      return raw.returnSchema !== null && raw.returnName !== null
        ? { kind: 'composite', relation: { schema: raw.returnSchema, name: raw.returnName }, setOf: raw.setOf, isRecord: false }
        : anonymousRecord
    case 'record':
      // `RETURNS record` without OUT parameters: no columns are known, so its rows are values
      return hasOutputArgs ? anonymousRecord : { kind: 'scalar', type: 'record', setOf: raw.setOf }
    case 'scalar':
      // a single OUT parameter makes the return type that parameter's, but the result is still a row
      return hasOutputArgs ? anonymousRecord : { kind: 'scalar', type: raw.returnType, setOf: raw.setOf }
    default:
      return assertNever(raw.returnKind)
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected value: ${String(value)}`)
}

export function groupRoutines(raws: readonly RawRoutine[]): Map<string, readonly Routine[]> {
  const routines = raws.flatMap((raw) => {
    const routine = toRoutine(raw)
    return routine ? [routine] : []
  })
  return new Map(groupBy(routines, (r) => tableKey(r)))
}
