import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ApiError } from '../../errors/api-error.js'
import { parseQueryParams } from './query-params.js'

/**
 * Whatever the query string, parsing either succeeds or throws an ApiError with status 400 (PGRST100)
 * or 416 (PGRST103, negative limit), and it does so quickly.
 */

/** Single characters: grammar punctuation, whitespace, NUL, any code point (lone surrogates included). */
const unit = fc.oneof(
  fc.constantFrom(...'"(),.:!\\{}[]-> \t\u0000*&=;%+_$'.split('')),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
)

/** Grammar fragments, so random values reach deep into every parser. */
const fragment = fc.constantFrom(
  'not.',
  'eq.',
  'eq(any).',
  'like(all).',
  'in.(',
  'is.',
  'null',
  'isdistinct.',
  'fts(english).',
  'cs.{',
  '->',
  '->>',
  '::',
  '...',
  '!inner',
  '!left',
  '!hint',
  'count()',
  '.sum()',
  '.desc',
  '.nullsfirst',
  'or(',
  'and(',
  'not.and(',
  'a:',
  'id',
  '-1',
  '"',
  '\\"',
)

const text = fc.array(fc.oneof(unit, fragment), { maxLength: 40 }).map((parts) => parts.join(''))

/** Long and deeply nested values: one fragment repeated up to 10,000 times. */
const long = fc
  .tuple(fc.oneof(unit, fragment, fc.constantFrom('a(', '(', 'and(', ')', 'x')), fc.integer({ min: 1, max: 10_000 }))
  .map(([part, times]) => part.repeat(times))

const value = fc.oneof({ weight: 4, arbitrary: text }, { weight: 1, arbitrary: long })

const key = fc.oneof(
  fc.constantFrom(
    'select',
    'columns',
    'on_conflict',
    'order',
    'limit',
    'offset',
    'or',
    'and',
    'not.or',
    'not.and',
    'rel.not.or',
    'a.b.order',
    'rel.limit',
    'rel.offset',
    'col',
    'rel.col',
    'data->a',
    '"quoted.key"',
  ),
  text,
)

/** Percent-encodes the UTF-8 bytes (lone surrogates become U+FFFD, as a client would send). */
function encode(s: string): string {
  return [...new TextEncoder().encode(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')
}

const encodedParam = fc.tuple(key, value).map(([k, v]) => `${encode(k)}=${encode(v)}`)
/** Unencoded text and raw `%XY` sequences exercise the decoder (invalid escapes, invalid UTF-8). */
const rawParam = fc
  .tuple(text, fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 6 }), text)
  .map(([k, bytes, v]) => `${k}=${bytes.map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')}${v}`)

const query = fc
  .array(fc.oneof({ weight: 3, arbitrary: encodedParam }, { weight: 1, arbitrary: rawParam }), { maxLength: 6 })
  .map((ps) => ps.join('&'))

function parseOutcome(q: string, isRpcRead: boolean): 'ok' | number {
  try {
    parseQueryParams(q, { isRpcRead })
    return 'ok'
  } catch (err) {
    if (!(err instanceof ApiError)) throw err
    return err.status
  }
}

describe('parseQueryParams on arbitrary input', () => {
  it('returns or throws an ApiError with status 400/416, quickly', () => {
    fc.assert(
      fc.property(query, fc.boolean(), (q, isRpcRead) => {
        const start = performance.now()
        const outcome = parseOutcome(q, isRpcRead)
        expect(['ok', 400, 416]).toContain(outcome)
        expect(performance.now() - start).toBeLessThan(500)
      }),
      { numRuns: 1000 },
    )
  })

  it('reports PGRST100 for every parse failure of a single parameter', () => {
    fc.assert(
      fc.property(key, value, (k, v) => {
        try {
          parseQueryParams(`${encode(k)}=${encode(v)}`, { isRpcRead: false })
        } catch (err) {
          expect(err).toBeInstanceOf(ApiError)
          const { status, code } = err as ApiError
          expect([
            { status: 400, code: 'PGRST100' },
            { status: 416, code: 'PGRST103' },
          ]).toContainEqual({ status, code })
        }
      }),
      { numRuns: 1000 },
    )
  })
})
