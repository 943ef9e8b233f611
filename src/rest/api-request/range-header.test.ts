import { describe, expect, it } from 'vitest'
import { ApiError } from '../../errors/api-error.js'
import { parseRangeHeader } from './range-header.js'

describe('parseRangeHeader', () => {
  it.each<[string | undefined, ReturnType<typeof parseRangeHeader>]>([
    [undefined, undefined],
    ['0-9', { offset: 0, limit: 10 }],
    ['0-0', { offset: 0, limit: 1 }],
    ['5-5', { offset: 5, limit: 1 }],
    ['10-19', { offset: 10, limit: 10 }],
    ['0-', { offset: 0 }],
    ['25-', { offset: 25 }],
    ['007-010', { offset: 7, limit: 4 }],
    // anything that does not match ^([0-9]+)-([0-9]*)$ is ignored
    ['', undefined],
    ['-5', undefined],
    ['items=0-9', undefined],
    ['0-9,20-29', undefined],
    [' 0-9', undefined],
    ['0-9 ', undefined],
    ['a-b', undefined],
    ['1.5-3', undefined],
    ['-1-3', undefined],
    ['0--1', undefined],
  ])('parses %j', (value, expected) => {
    expect(parseRangeHeader(value)).toEqual(expected)
  })

  it.each(['1-0', '10-9', '100-1'])('refuses %j, whose upper bound is below the lower one, with PGRST103', (value) => {
    let caught: unknown
    try {
      parseRangeHeader(value)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(ApiError)
    const err = caught as ApiError
    expect({ status: err.status, code: err.code, message: err.message, details: err.details }).toEqual({
      status: 416,
      code: 'PGRST103',
      message: 'Requested range not satisfiable',
      details: 'The lower boundary must be lower than or equal to the upper boundary in the Range header.',
    })
  })
})
