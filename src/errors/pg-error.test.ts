import { describe, expect, it } from 'vitest'
import { toApiError } from './pg-error.js'

const body = (err: unknown) => {
  const e = toApiError(err, false)
  return { status: e.status, code: e.code, message: e.message, details: e.details }
}

describe('toApiError', () => {
  it('answers a socket error whose code looks like a SQLSTATE (EPIPE) as a connection error, not 400', () => {
    const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })
    expect(body(epipe)).toEqual({ status: 503, code: 'PGRST000', message: 'Database connection error.', details: 'write EPIPE' })
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })
    expect(body(reset)).toEqual({ status: 503, code: 'PGRST000', message: 'Database connection error.', details: 'read ECONNRESET' })
  })

  it('answers any other system error as an internal error, never as a SQLSTATE (EPERM would be class EP, 400)', () => {
    const logged: unknown[] = []
    const eperm = Object.assign(new Error('open EPERM'), { code: 'EPERM', errno: -1, syscall: 'open' })
    const answered = toApiError(eperm, false, (err) => logged.push(err))
    expect({ status: answered.status, code: answered.code, message: answered.message }).toEqual({ status: 500, code: 'PGRSTX00', message: 'Internal server error' })
    expect(logged).toEqual([eperm])
    const ebusy = Object.assign(new Error('EBUSY'), { code: 'EBUSY', syscall: 'rmdir' })
    expect(toApiError(ebusy, false).status).toBe(500)
  })

  it('answers PostgreSQL shutting a connection down as a connection error', () => {
    const shutdown = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01', severity: 'FATAL' })
    expect(body(shutdown)).toEqual({ status: 503, code: 'PGRST000', message: 'Database connection error.', details: 'terminating connection due to administrator command' })
  })

  it('maps other SQLSTATEs by class', () => {
    expect(body(Object.assign(new Error('duplicate key'), { code: '23505' })).status).toBe(409)
    expect(body(Object.assign(new Error('syntax'), { code: '42601' })).status).toBe(400)
  })
})
