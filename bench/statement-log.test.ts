import { describe, expect, it } from 'vitest'
import { parseCapturedLog, parseLoggedParameters } from './statement-log.js'

describe('parseLoggedParameters', () => {
  it('reads quoted values (doubled quotes undone), NULLs and values holding commas', () => {
    expect(parseLoggedParameters(`parameters: $1 = 'a, b', $2 = NULL, $3 = 'it''s', $4 = ''`)).toEqual(['a, b', null, "it's", ''])
    expect(parseLoggedParameters(undefined)).toEqual([])
    expect(parseLoggedParameters('something else')).toEqual([])
  })
})

describe('parseCapturedLog', () => {
  it("keeps the client backends' executes and simple statements, leaving out the bench's own session", () => {
    const lines = [
      { application_name: 'data-api', backend_type: 'client backend', message: 'execute s_1: select set_config($1, $2, true)', detail: `parameters: $1 = 'role', $2 = 'authenticated'` },
      { application_name: 'data-api', backend_type: 'client backend', message: 'execute s_2: WITH x AS (\nselect 1\n) select $1', detail: `parameters: $1 = '5'` },
      { application_name: 'data-api', backend_type: 'client backend', message: 'statement: COMMIT' },
      { application_name: 'data-api-bench', backend_type: 'client backend', message: 'statement: select 1' },
      { backend_type: 'checkpointer', message: 'checkpoint starting: time' },
    ]
    const text = `${lines.map((l) => JSON.stringify(l)).join('\n')}\nnot json\n`
    expect(parseCapturedLog(text, 'data-api-bench')).toEqual([
      { protocol: 'extended', text: 'select set_config($1, $2, true)', params: ['role', 'authenticated'] },
      { protocol: 'extended', text: 'WITH x AS (\nselect 1\n) select $1', params: ['5'] },
      { protocol: 'simple', text: 'COMMIT', params: [] },
    ])
  })
})
