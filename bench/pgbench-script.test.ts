import { describe, expect, it } from 'vitest'
import { buildBareScript, buildPipelinedScript, evaluateTemplate, parameterTemplate, type VaryingValues } from './pgbench-script.js'
import type { CapturedStatement } from './statement-log.js'

const vary: VaryingValues = { users: 100, authorsPerUser: 10, kind: 'book', user: 23, id: 72242 }
const claims = '{"sub":"user-23","role":"authenticated","iat":1764745000,"exp":1764759400}'

describe('parameterTemplate', () => {
  it('marks the user inside the claims and the id, and keeps everything else constant', () => {
    expect(parameterTemplate(null, 'text', vary)).toEqual({ kind: 'null' })
    expect(parameterTemplate('72242', 'bigint', vary)).toEqual({ kind: 'id' })
    expect(parameterTemplate('authenticated', 'text', vary)).toEqual({ kind: 'constant', value: 'authenticated' })
    // numbers that merely contain the user or the id stay as they are
    expect(parameterTemplate('{"n":230,"m":172242}', 'text', vary)).toEqual({ kind: 'constant', value: '{"n":230,"m":172242}' })
    const t = parameterTemplate(claims, 'text', vary)
    expect(t).toEqual({
      kind: 'concat',
      parts: [{ text: '{"sub":"user-' }, 'u', { text: '","role":"authenticated","iat":1764745000,"exp":1764759400}' }],
      type: 'text',
    })
    expect(evaluateTemplate(t, 7, 999)).toBe(claims.replace('user-23', 'user-7'))
    expect(evaluateTemplate(parameterTemplate('{"author_id":72242}', 'json', vary), 7, 999)).toBe('{"author_id":999}')
  })

  it('finds no id in a request that names none', () => {
    expect(parameterTemplate('72242', 'bigint', { ...vary, kind: 'none', id: undefined })).toEqual({ kind: 'constant', value: '72242' })
  })
})

describe('buildPipelinedScript', () => {
  it('puts the batch sent with one Sync in a pipeline, a simple statement after it on its own, and passes constants with -D', () => {
    const statements: CapturedStatement[] = [
      { protocol: 'extended', text: 'BEGIN', params: [], paramTypes: [] },
      { protocol: 'extended', text: "select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)", params: ['authenticated', claims], paramTypes: ['text', 'text'] },
      { protocol: 'extended', text: 'select * from books where id = $1 and genre = $12', params: ['72242'], paramTypes: ['bigint'] },
      { protocol: 'simple', text: 'COMMIT;', params: [], paramTypes: [] },
    ]
    const { script, defines } = buildPipelinedScript(statements, vary)
    expect(script).toBe(
      [
        '\\set u random(1, 100)',
        '\\set i :u + 100 * random(0, 9)',
        '\\set i (:i - 1) * 100 + random(1, 100)',
        '\\startpipeline',
        'BEGIN;',
        "select set_config('role', :d1, true), set_config('request.jwt.claims', (:d2::text || :u::text || :d3::text)::text, true);",
        'select * from books where id = :i and genre = $12;',
        '\\endpipeline',
        'COMMIT;',
        '',
      ].join('\n'),
    )
    expect(defines).toEqual({ d1: 'authenticated', d2: '{"sub":"user-', d3: '","role":"authenticated","iat":1764745000,"exp":1764759400}' })
  })
})

describe('buildBareScript', () => {
  it('draws the variables and runs the one statement', () => {
    expect(buildBareScript('select * from books_of_author(:i);;', 'author', { users: 4, authorsPerUser: 250 })).toEqual({
      script: '\\set u random(1, 4)\n\\set i :u + 4 * random(0, 249)\nselect * from books_of_author(:i);\n',
      defines: {},
    })
  })
})
