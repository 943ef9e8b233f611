/**
 * Splitting and decoding of the raw query string, and its canonical re-encoding, the way
 * PostgREST does it with http-types' parseQueryReplacePlus and urlEncodeVars:
 * - pairs are separated by `&` or `;`, a key and its value by the first `=`;
 * - `+` is a space, `%XY` a byte, a `%` not followed by two hex digits is kept literally;
 * - the bytes are then read as UTF-8 (invalid UTF-8 is a PGRST100 error).
 */
import { errors } from '../../errors/catalog.js'

export type RawParam = Readonly<{
  key: string
  /** undefined when the pair has no `=` (such params are ignored) */
  value: string | undefined
  keyBytes: Uint8Array
  valueBytes: Uint8Array | undefined
}>

const AMPERSAND = 0x26
const SEMICOLON = 0x3b
const EQUALS = 0x3d
const PLUS = 0x2b
const PERCENT = 0x25
const SPACE = 0x20

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const UTF8_ENCODER = new TextEncoder()

/**
 * `query` is the text after `?` (a leading `?` is dropped too). Characters outside ASCII, which a
 * well-formed URL does not contain, are taken as their UTF-8 bytes.
 */
export function decodeQuery(query: string): RawParam[] {
  const bytes = UTF8_ENCODER.encode(query.startsWith('?') ? query.slice(1) : query)
  const params: RawParam[] = []
  let start = 0
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== AMPERSAND && bytes[i] !== SEMICOLON) continue
    // empty segments (`a=1&&b=2`) carry nothing; http-types would keep an empty key
    if (i > start) params.push(decodePair(bytes.subarray(start, i)))
    start = i + 1
  }
  return params
}

function decodePair(segment: Uint8Array): RawParam {
  const eq = segment.indexOf(EQUALS)
  const keyBytes = urlDecode(eq < 0 ? segment : segment.subarray(0, eq))
  const valueBytes = eq < 0 ? undefined : urlDecode(segment.subarray(eq + 1))
  return {
    key: decodeUtf8(keyBytes),
    value: valueBytes === undefined ? undefined : decodeUtf8(valueBytes),
    keyBytes,
    valueBytes,
  }
}

function urlDecode(input: Uint8Array): Uint8Array {
  // most keys and values have nothing to decode: no copy, no loop
  if (!input.includes(PERCENT) && !input.includes(PLUS)) return input
  const out = new Uint8Array(input.length)
  let n = 0
  for (let i = 0; i < input.length; i++) {
    const b = input[i] as number
    const hi = b === PERCENT ? hexValue(input[i + 1]) : -1
    const lo = hi >= 0 ? hexValue(input[i + 2]) : -1
    if (lo >= 0) {
      out[n++] = hi * 16 + lo
      i += 2
    } else {
      out[n++] = b === PLUS ? SPACE : b
    }
  }
  return out.subarray(0, n)
}

function hexValue(b: number | undefined): number {
  if (b === undefined) return -1
  if (b >= 0x30 && b <= 0x39) return b - 0x30
  if (b >= 0x41 && b <= 0x46) return b - 0x41 + 10
  if (b >= 0x61 && b <= 0x66) return b - 0x61 + 10
  return -1
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes)
  } catch {
    throw errors.queryParam(
      'Invalid query string',
      'A query parameter is not valid UTF-8 after percent-decoding.',
    )
  }
}

/**
 * PostgREST's canonical query (for Content-Location): pairs sorted by key (stable, bytewise),
 * each `key=value` re-encoded, joined by `&`. (PostgREST's urlEncodeVars also folds repeated keys
 * into `k=v1,v2`, which changes the meaning of filters; we keep them apart.)
 */
export function canonicalQuery(params: readonly RawParam[]): string {
  return [...params]
    .sort((a, b) => compareBytes(a.keyBytes, b.keyBytes))
    .map((p) => `${urlEncode(p.keyBytes)}=${urlEncode(p.valueBytes ?? new Uint8Array())}`)
    .join('&')
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number)
    if (d !== 0) return d
  }
  return a.length - b.length
}

/** Unreserved ASCII letters, digits and `-_.~` stay; every other byte becomes `%XY`. */
function urlEncode(bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) {
    const unreserved = isAsciiAlphanumeric(b) || b === 0x2d || b === 0x5f || b === 0x2e || b === 0x7e
    out += unreserved ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

function isAsciiAlphanumeric(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)
}
