import { describe, expect, it } from 'vitest'
import { AUTHORS, BOOKS, BOOKS_PER_AUTHOR, authorsPerUser } from './fixture.js'
import { idFor, luaDraw, pgbenchDraw } from './request-ids.js'

const space = { users: 100, authorsPerUser: authorsPerUser({ users: 100 }) }

/** The owner of an author and of a book, as fixtureSql() assigns them. */
const authorOwner = (a: number) => ((a - 1) % space.users) + 1
const bookOwner = (b: number) => (Math.floor((b - 1) / BOOKS_PER_AUTHOR) % space.users) + 1

describe('request ids', () => {
  it("draw only rows the requesting user owns, over the whole table", () => {
    expect(idFor('none', 5, 0, 1, space)).toBeUndefined()
    expect(idFor('author', 23, 7, 42, space)).toBe(723)
    expect(idFor('book', 23, 7, 42, space)).toBe(72242)
    expect(idFor('book', space.users, space.authorsPerUser - 1, BOOKS_PER_AUTHOR, space)).toBe(BOOKS)
    expect(idFor('author', space.users, space.authorsPerUser - 1, 1, space)).toBe(AUTHORS)
    for (const [user, k, n] of [[1, 0, 1], [23, 7, 42], [100, 9, 100], [57, 3, 1]] as const) {
      expect(authorOwner(idFor('author', user, k, n, space) as number)).toBe(user)
      expect(bookOwner(idFor('book', user, k, n, space) as number)).toBe(user)
    }
  })

  it('are drawn the same way in Lua and in pgbench', () => {
    expect(luaDraw('book', space)).toBe(
      ['local user = math.random(100)', 'local id = user + 100 * math.random(0, 9)', 'id = (id - 1) * 100 + math.random(100)'].join('\n'),
    )
    expect(luaDraw('none', space)).toBe(['local user = math.random(100)', 'local id = nil'].join('\n'))
    expect(pgbenchDraw('book', space)).toEqual(['\\set u random(1, 100)', '\\set i :u + 100 * random(0, 9)', '\\set i (:i - 1) * 100 + random(1, 100)'])
    expect(pgbenchDraw('author', space)).toEqual(['\\set u random(1, 100)', '\\set i :u + 100 * random(0, 9)'])
    expect(pgbenchDraw('none', space)).toEqual(['\\set u random(1, 100)'])
  })
})
