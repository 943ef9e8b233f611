import { describe, expect, it } from 'vitest'
import { decisiveArea, sourceUrl, splitProfile, type CpuProfile } from './profile-areas.js'

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber })

/**
 * root ─ onStreamRead (node:net) ─ parserOnHeadersComplete (_http_common)
 *      └ processTicksAndRejections ─ handler (dist/server/create-server.js) ─ end (_http_outgoing) ─ writev
 *                                  └ submit (dist/db/batch-query.js) ─ writev
 *      └ (garbage collector)   └ (idle)
 */
const profile: CpuProfile = {
  startTime: 1_000,
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 4, 9, 10] },
    { id: 2, callFrame: frame('onStreamRead', 'node:net'), children: [3] },
    { id: 3, callFrame: frame('parserOnHeadersComplete', 'node:_http_common') },
    { id: 4, callFrame: frame('processTicksAndRejections', 'node:internal/process/task_queues'), children: [5, 7] },
    { id: 5, callFrame: frame('handler', 'file:///app/dist/server/create-server.js', 31), children: [6] },
    { id: 6, callFrame: frame('end', 'node:_http_outgoing'), children: [11] },
    { id: 7, callFrame: frame('submit', 'file:///app/dist/db/batch-query.js', 9), children: [8] },
    { id: 8, callFrame: frame('writev') },
    { id: 9, callFrame: frame('(garbage collector)') },
    { id: 10, callFrame: frame('(idle)') },
    { id: 11, callFrame: frame('writev') },
  ],
  // one sample each of 3, 5, 11, 8, 9, 10, 2, 4 at t = 1010, 1020, … (10 µs apart)
  samples: [3, 5, 11, 8, 9, 10, 2, 4],
  timeDeltas: [10, 10, 10, 10, 10, 10, 10, 10],
}

describe('splitProfile', () => {
  it('gives each sample to the nearest frame on its stack that names an area, and leaves idle time out', () => {
    const split = splitProfile(profile)
    expect(split.busyUs).toBe(70)
    expect(Object.fromEntries(split.byArea)).toEqual({
      'HTTP parsing': 10,
      'routing, server glue (src/server)': 10,
      'response (src/rest/response, http writes)': 10,
      'pg protocol (src/db, pg)': 10,
      'garbage collection': 10,
      'socket I/O': 10,
      'event loop, promises, timers': 10,
    })
    expect(split.byFunction.get('submit src/db/batch-query.js:10')).toBeUndefined()
    expect(split.byFunction.get('writev (native):1')).toBe(20)
  })

  it('counts only the samples inside the window', () => {
    const split = splitProfile(profile, 1_015, 1_045)
    expect(split.busyUs).toBe(30)
    expect([...split.byArea.keys()].sort()).toEqual(['pg protocol (src/db, pg)', 'response (src/rest/response, http writes)', 'routing, server glue (src/server)'])
  })
})

describe('decisiveArea', () => {
  it('knows the project by folder, packages by name and the Node modules that are one job', () => {
    expect(decisiveArea(frame('x', sourceUrl('file:///app/dist/rest/sql/fragment.js')))).toBe('SQL text (src/rest/sql)')
    expect(decisiveArea(frame('x', sourceUrl('file:///app/dist/rest/read-shape-cache.js')))).toBe('planning (src/rest/plan, shape cache, pipeline)')
    expect(decisiveArea(frame('x', 'file:///app/node_modules/jose/dist/verify.js'))).toBe('JWT, auth (src/auth, jose)')
    expect(decisiveArea(frame('x', 'file:///app/node_modules/pg-protocol/dist/parser.js'))).toBe('pg protocol (src/db, pg)')
    expect(decisiveArea(frame('writeHead', 'node:_http_server'))).toBe('response (src/rest/response, http writes)')
    expect(decisiveArea(frame('parserOnIncoming', 'node:_http_server'))).toBe('HTTP parsing')
    expect(decisiveArea(frame('emit', 'node:events'))).toBeUndefined()
    expect(sourceUrl('file:///app/node_modules/x/dist/y.js')).toBe('file:///app/node_modules/x/dist/y.js')
  })
})
