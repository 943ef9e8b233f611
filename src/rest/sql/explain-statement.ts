/**
 * Stage 3 (build SQL). The main statement prefixed with `EXPLAIN (FORMAT JSON|TEXT[, ANALYZE, …])`:
 * the same text and parameters, so the plan is the plan of what the request would run.
 */
import type { Explain } from '../plan/explain.js'
import type { CompiledSql } from '../../sql/fragment.js'

const KEYWORDS = { analyze: 'ANALYZE', verbose: 'VERBOSE', settings: 'SETTINGS', buffers: 'BUFFERS', wal: 'WAL' } as const

export function explainStatement(main: CompiledSql, explain: Explain): CompiledSql {
  const options = [`FORMAT ${explain.format === 'json' ? 'JSON' : 'TEXT'}`, ...explain.options.map((o) => KEYWORDS[o])]
  return { text: `EXPLAIN (${options.join(', ')}) ${main.text}`, values: main.values }
}
