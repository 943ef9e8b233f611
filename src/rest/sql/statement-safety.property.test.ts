/**
 * Property: whatever names and values a client sends, they reach SQL only as quoted identifiers or
 * bind parameters. Random names carrying a marker go through parse → plan → build SQL; once every
 * quoted identifier is cut out of the statement text, the marker must be gone.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isApiError } from '../../errors/api-error.js'
import { fakeSchemaCache } from '../../../test/support/fake-schema-cache.js'
import { parseApiRequest } from '../api-request/parse-api-request.js'
import { planAction } from '../plan/plan-action.js'
import { loadConfig } from '../../config/load-config.js'
import { compile } from '../../sql/fragment.js'
import { mainStatement } from './main-statement.js'

const cache = fakeSchemaCache
const config = loadConfig({}, { aggregatesEnabled: true, txEnd: 'commit-allow-override' })

const MARK = 'ZQX'
/** A name with the marker and any characters, quoted the way the grammar allows. */
const name = fc.string({ unit: 'binary', maxLength: 12 }).map((s) => `${MARK}${s}`)
const quoted = (s: string) => `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`
const value = fc.string({ unit: 'binary', maxLength: 20 }).map((s) => `${MARK}${s}`)
const op = fc.constantFrom('eq', 'neq', 'gt', 'like', 'ilike', 'match', 'cs', 'adj', 'fts', 'isdistinct', 'eq(any)', 'like(all)', 'not.eq', 'wfts(english)')

const requestParts = fc.record({
  selectName: name,
  alias: name,
  jsonKey: name,
  filterName: name,
  filterValue: value,
  filterOp: op,
  inValue: value,
  orName: name,
  orValue: value,
  orderName: name,
  embedAlias: name,
  embedFilter: value,
  method: fc.constantFrom('GET', 'PATCH', 'DELETE', 'POST'),
  bodyKey: fc.constantFrom('name', 'id'),
})

function stripQuotedIdentifiers(text: string): string {
  return text.replace(/"(?:[^"]|"")*"/g, '""')
}

describe('statement safety', () => {
  it('keeps client names inside quoted identifiers and values in parameters', () => {
    let built = 0
    fc.assert(
      fc.property(requestParts, (p) => {
        const q = [
          `select=id,${quoted(p.selectName)},${quoted(p.alias)}:data->${quoted(p.jsonKey)},${quoted(p.embedAlias)}:parts(id,label)`,
          `${quoted(p.filterName)}=${p.filterOp}.${p.filterValue}`,
          `name=in.(${quoted(p.inValue)},b)`,
          `or=(${quoted(p.orName)}.eq.${quoted(p.orValue)},id.gt.1)`,
          `order=${quoted(p.orderName)}.desc.nullslast,id`,
          `${quoted(p.embedAlias)}.label=eq.${p.embedFilter}`,
        ]
          .map((pair) => {
            const eq = pair.indexOf('=')
            return `${encodeURIComponent(pair.slice(0, eq))}=${encodeURIComponent(pair.slice(eq + 1))}`
          })
          .join('&')
        try {
          const request = parseApiRequest(
            {
              method: p.method,
              path: '/things',
              query: q,
              headers: { 'content-type': 'application/json', prefer: 'return=representation' },
              body: Buffer.from(JSON.stringify({ [p.bodyKey]: p.filterValue })),
            },
            { schemas: ['public'], allowTxOverride: true },
          )
          const compiled = compile(mainStatement(planAction(request, cache, config)))
          built += 1
          expect(stripQuotedIdentifiers(compiled.text)).not.toContain(MARK)
          expect(compiled.text).not.toContain('\0')
        } catch (err) {
          if (!isApiError(err)) throw err
          expect(err.status).toBeLessThan(500)
        }
      }),
      { numRuns: 400 },
    )
    // Most random requests must get all the way to SQL, or the property proves little.
    expect(built).toBeGreaterThan(200)
  })
})
