/**
 * Stage 5 (respond). Content-Range and the 200/206/416 rule of reads. Mirrors PostgREST RangeQuery.hs.
 */
import { errors } from '../../errors/catalog.js'

export function contentRange(lower: number, pageTotal: number, total: number | undefined): string {
  const upper = lower + pageTotal - 1
  const range = upper < lower || total === 0 ? '*' : `${lower}-${upper}`
  return `${range}/${total === undefined ? '*' : total}`
}

/** Throws PGRST103 (416) when the requested offset lies beyond a counted total. */
export function readStatus(lower: number, pageTotal: number, total: number | undefined): 200 | 206 {
  if (total === undefined) return 200
  if (lower > total) {
    throw errors.invalidRange(`An offset of ${lower} was requested, but there are only ${total} rows.`, {
      'Content-Range': `*/${total}`,
    })
  }
  return pageTotal < total ? 206 : 200
}
