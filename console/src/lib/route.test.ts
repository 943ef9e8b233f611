import { describe, expect, it } from 'vitest'
import { parseRoute, routeHref } from './route'

describe('route', () => {
  it.each([
    ['', { page: 'data-api', database: undefined }],
    ['#/sql', { page: 'sql', database: undefined }],
    ['#/tables?db=shop', { page: 'tables', database: 'shop' }],
    ['#/nowhere?db=', { page: 'data-api', database: undefined }],
  ])('reads %j', (hash, route) => expect(parseRoute(hash)).toEqual(route))

  it('writes what it reads', () => {
    expect(routeHref({ page: 'advisors', database: 'my db' })).toBe('#/advisors?db=my+db')
    expect(parseRoute(routeHref({ page: 'advisors', database: 'my db' }))).toEqual({ page: 'advisors', database: 'my db' })
    expect(routeHref({ page: 'sql', database: undefined })).toBe('#/sql')
  })
})
