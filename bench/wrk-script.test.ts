import { describe, expect, it } from 'vitest'
import { luaString, parseWrkResult, wrkScript } from './wrk-script.js'
import { WORKLOADS, type WorkloadName } from './workloads.js'

const workload = (name: WorkloadName) => WORKLOADS.find((w) => w.name === name)!

describe('wrkScript', () => {
  it("rotates the users' tokens and fills the id into the path", () => {
    const script = wrkScript({ basePath: '/bench/rest/v1', workload: workload('get-one'), tokens: ['t1', 't2'], authorsPerUser: 10 })
    expect(script).toContain('local tokens = {\n  "Bearer t1",\n  "Bearer t2",\n}')
    expect(script).toContain('local path_parts = { "/bench/rest/v1/books?id=eq.", "" }')
    expect(script).toContain('local body_parts = nil')
    expect(script).toContain('headers["Accept"] = "application/vnd.pgrst.object+json"')
    expect(script).toContain(
      [
        'function request()',
        '  local user = math.random(2)',
        '  local id = user + 2 * math.random(0, 9)',
        '  id = (id - 1) * 100 + math.random(100)',
        '  headers["Authorization"] = tokens[user]',
        '  return wrk.format(method, fill(path_parts, id), headers, fill(body_parts, id))',
        'end',
      ].join('\n'),
    )
  })

  it('fills the id into the body too, and leaves a path without one whole', () => {
    const insert = wrkScript({ basePath: '/db/rest/v1', workload: workload('insert'), tokens: ['t'], authorsPerUser: 2 })
    expect(insert).toContain('local body_parts = { "{\\"author_id\\":", ",\\"body\\":\\"a benchmark note\\",\\"rating\\":4}" }')
    expect(insert).toContain('local method = "POST"')
    const list = wrkScript({ basePath: '/db/rest/v1', workload: workload('list'), tokens: ['t'], authorsPerUser: 2 })
    expect(list).toContain('local path_parts = { "/db/rest/v1/books?genre=eq.poetry&order=year.desc,id.desc&limit=20" }')
    expect(list).toContain('  local id = nil\n')
  })

  it('writes only printable ASCII into Lua string literals', () => {
    expect(luaString('a"b\\c')).toBe('"a\\"b\\\\c"')
    expect(() => luaString('line\nbreak')).toThrow('not printable ASCII')
  })
})

describe('parseWrkResult', () => {
  it('reads the line the script prints when wrk is done', () => {
    const stdout = 'Running 3s test @ http://127.0.0.1:1\n  1 threads and 50 connections\nWRK_RESULT {"requests":30000,"duration_us":3000000,"status":2,"errors":1,"p50_us":4100,"p99_us":12500}\n'
    expect(parseWrkResult(stdout)).toEqual({ requests: 30000, seconds: 3, p50Ms: 4.1, p99Ms: 12.5, non2xx: 2, errors: 1 })
    expect(parseWrkResult('unable to connect to 127.0.0.1:1 Connection refused\n')).toBeUndefined()
  })
})
