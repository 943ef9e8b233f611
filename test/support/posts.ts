/** Test support: the getting-started `posts` table with its RLS policies (test/fixtures/posts.sql). */
import { readFileSync } from 'node:fs'

export const POSTS = readFileSync(new URL('../fixtures/posts.sql', import.meta.url), 'utf8')
