/**
 * How a request picks its user and its row, written once for each place that draws them: here (the
 * sample requests), in wrk's Lua and in pgbench's script language. A request picks a user u at
 * random, one of u's authors a = u + users·k, and, for the book workloads, one of a's books
 * i = (a − 1)·BOOKS_PER_AUTHOR + n (see fixture.ts).
 */
import { BOOKS_PER_AUTHOR, authorOf, bookOf } from './fixture.js'
import type { IdKind } from './workloads.js'

export type IdSpace = Readonly<{ users: number; authorsPerUser: number }>

/** The id a request of `user` asks for with the draws k (0-based author) and n (1-based book). */
export function idFor(kind: IdKind, user: number, k: number, n: number, space: IdSpace): number | undefined {
  if (kind === 'none') return undefined
  const author = authorOf(user, k, space.users)
  return kind === 'author' ? author : bookOf(author, n)
}

/** Lua statements that set the locals `user` and `id` (nil for 'none'). */
export function luaDraw(kind: IdKind, space: IdSpace): string {
  const lines = [`local user = math.random(${space.users})`]
  if (kind === 'none') return [...lines, 'local id = nil'].join('\n')
  lines.push(`local id = user + ${space.users} * math.random(0, ${space.authorsPerUser - 1})`)
  if (kind === 'book') lines.push(`id = (id - 1) * ${BOOKS_PER_AUTHOR} + math.random(${BOOKS_PER_AUTHOR})`)
  return lines.join('\n')
}

/** pgbench meta-commands that set `:u` and, unless the kind is 'none', `:i`. */
export function pgbenchDraw(kind: IdKind, space: IdSpace): string[] {
  const lines = [`\\set u random(1, ${space.users})`]
  if (kind === 'none') return lines
  lines.push(`\\set i :u + ${space.users} * random(0, ${space.authorsPerUser - 1})`)
  if (kind === 'book') lines.push(`\\set i (:i - 1) * ${BOOKS_PER_AUTHOR} + random(1, ${BOOKS_PER_AUTHOR})`)
  return lines
}
