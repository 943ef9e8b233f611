/**
 * The `Prefer` request headers (RFC 7240) as PostgREST reads them (Preferences.fromHeaders,
 * postgrest-spec.md §5.8–5.9): every header value is split on `,` and trimmed; for each kind the
 * first recognised token wins; every token that is not recognised is kept in `invalid` for
 * `handling=strict` (PGRST122).
 */
import type { Preferences } from './types.js'

export type PreferencesOptions = Readonly<{
  /** `db-tx-end` is `commit-allow-override` or `rollback-allow-override` */
  allowTxOverride: boolean
}>

/** The exact tokens of each enumerated kind and the value each one stands for. */
const ENUMERATED = {
  resolution: { 'resolution=merge-duplicates': 'merge-duplicates', 'resolution=ignore-duplicates': 'ignore-duplicates' },
  return: { 'return=representation': 'representation', 'return=minimal': 'minimal', 'return=headers-only': 'headers-only' },
  count: { 'count=exact': 'exact', 'count=planned': 'planned', 'count=estimated': 'estimated' },
  tx: { 'tx=commit': 'commit', 'tx=rollback': 'rollback' },
  missing: { 'missing=default': 'default', 'missing=null': 'null' },
  handling: { 'handling=strict': 'strict', 'handling=lenient': 'lenient' },
} as const satisfies Record<string, Record<string, string>>

const KNOWN_TOKENS: ReadonlySet<string> = new Set(Object.values(ENUMERATED).flatMap((tokens) => Object.keys(tokens)))
const TIMEZONE = 'timezone='
const MAX_AFFECTED = 'max-affected='

export function parsePreferences(headerValues: readonly string[], options: PreferencesOptions): Preferences {
  const tokens = headerValues.flatMap(splitHeader)
  const prefs: { -readonly [K in keyof Preferences]: Preferences[K] } = {
    resolution: firstOf(tokens, ENUMERATED.resolution),
    return: firstOf(tokens, ENUMERATED.return),
    count: firstOf(tokens, ENUMERATED.count),
    // tx= is ignored unless the server allows overriding, but it is still a known token
    tx: options.allowTxOverride ? firstOf(tokens, ENUMERATED.tx) : undefined,
    missing: firstOf(tokens, ENUMERATED.missing),
    handling: firstOf(tokens, ENUMERATED.handling),
    // the value is checked against pg_timezone_names later (an unknown zone is ignored or PGRST122)
    timezone: valueAfter(tokens, TIMEZONE),
    maxAffected: maxAffected(tokens),
    invalid: tokens.filter(isUnrecognised),
  }
  for (const key of Object.keys(prefs) as (keyof Preferences)[]) if (prefs[key] === undefined) delete prefs[key]
  return prefs
}

/** The value of the first token listed in `table`. */
function firstOf<V extends string>(tokens: readonly string[], table: Readonly<Record<string, V>>): V | undefined {
  for (const token of tokens) if (Object.hasOwn(table, token)) return table[token]
  return undefined
}

/** Haskell's `BS.split ','` yields nothing for an empty header, `[""]` for a blank one. */
function splitHeader(value: string): string[] {
  return value === '' ? [] : value.split(',').map(trimAsciiSpace)
}

function trimAsciiSpace(token: string): string {
  return token.replace(/^[ \t\n\r\f\v]+|[ \t\n\r\f\v]+$/g, '')
}

function valueAfter(tokens: readonly string[], prefix: string): string | undefined {
  return tokens.find((t) => t.startsWith(prefix))?.slice(prefix.length)
}

/** Only the first `max-affected=` counts; if it is not an integer the preference is absent. */
function maxAffected(tokens: readonly string[]): number | undefined {
  const text = valueAfter(tokens, MAX_AFFECTED)
  if (text === undefined || !/^\s*-?[0-9]+\s*$/.test(text)) return undefined
  const n = Number(text)
  return Number.isSafeInteger(n) ? n || 0 : undefined
}

function isUnrecognised(token: string): boolean {
  return !KNOWN_TOKENS.has(token) && !token.startsWith(TIMEZONE) && !token.startsWith(MAX_AFFECTED)
}
