/**
 * The `Range: <from>-[<to>]` request header (GET only; postgrest-spec.md §4.3, PostgREST's
 * RangeQuery.rangeParse). Anything not matching `^([0-9]+)-([0-9]*)$` is ignored.
 */
import { errors } from '../../errors/catalog.js'

const RANGE = /^([0-9]+)-([0-9]*)$/

export function parseRangeHeader(value: string | undefined): { offset: number; limit?: number } | undefined {
  if (value === undefined) return undefined
  const match = RANGE.exec(value)
  if (match === null) return undefined
  const offset = Number(match[1])
  if (match[2] === undefined || match[2] === '') return { offset }
  const to = Number(match[2])
  if (to < offset) {
    throw errors.invalidRange('The lower boundary must be lower than or equal to the upper boundary in the Range header.')
  }
  return { offset, limit: to - offset + 1 }
}
