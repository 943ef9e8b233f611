/**
 * After a fault: every acknowledged batch is in the table exactly once, every batch there is whole
 * (all its rows, none twice, each payload matching its checksum), and nothing is there that was never
 * sent. Read straight from PostgreSQL, not through the API under test.
 */
import pg from 'pg'
import { WRITES_TABLE, type Attempt } from './write-load.js'

export type WriteCheck = Readonly<{
  acknowledged: number
  /** acknowledged batches missing, or with fewer rows than sent */
  lost: string[]
  /** batches with a row twice, or more rows than sent */
  duplicated: string[]
  /** batches with some rows missing, or a payload that does not match its checksum */
  torn: string[]
  /** batches in the table that no client sent */
  unknown: string[]
  /** batches that failed (or got no answer) but committed anyway: allowed, and reported */
  committedUnacknowledged: number
}>

export function writeCheckPassed(c: WriteCheck): boolean {
  return c.lost.length + c.duplicated.length + c.torn.length + c.unknown.length === 0
}

export async function verifyWrites(databaseUrl: string, attempts: readonly Attempt[]): Promise<WriteCheck> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const { rows } = await client.query<{ batch_id: string; batch_size: number; rows: number; positions: number; bad: number }>(`
      select batch_id, min(batch_size) as batch_size, count(*)::int as rows, count(distinct position)::int as positions,
             count(*) filter (where md5(payload) <> checksum)::int as bad
      from ${WRITES_TABLE} group by batch_id`)
    const found = new Map(rows.map((r) => [r.batch_id, r]))
    const sent = new Map(attempts.map((a) => [a.batchId, a]))
    const acked = attempts.filter((a) => typeof a.status === 'number' && a.status >= 200 && a.status < 300)
    const lost = acked.filter((a) => (found.get(a.batchId)?.rows ?? 0) === 0).map((a) => a.batchId)
    const duplicated: string[] = []
    const torn: string[] = []
    const unknown: string[] = []
    let committedUnacknowledged = 0
    for (const r of rows) {
      const attempt = sent.get(r.batch_id)
      if (!attempt) unknown.push(r.batch_id)
      else if (!(typeof attempt.status === 'number' && attempt.status < 300)) committedUnacknowledged++
      if (r.rows > r.batch_size || r.positions < r.rows) duplicated.push(r.batch_id)
      else if (r.rows < r.batch_size || r.bad > 0) torn.push(r.batch_id)
    }
    return { acknowledged: acked.length, lost, duplicated, torn, unknown, committedUnacknowledged }
  } finally {
    await client.end()
  }
}
