/**
 * Type generation end to end: generate the Database type of a fixture schema, write a program that
 * uses it with the typed clients (postgrest-js, supabase-js, neon-js), compile it with the project's
 * TypeScript (the `@ts-expect-error` lines must be errors, or tsc fails on the unused directive),
 * then run it against the server, so the types are checked against what the API really answers.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateTypes } from '../src/typegen/generate-types.js'
import { backends, startTestServer, type TestServer } from './support/test-server.js'

const run = promisify(execFile)
const root = fileURLToPath(new URL('..', import.meta.url))
const fixture = readFileSync(new URL('./fixtures/typegen.sql', import.meta.url), 'utf8')
const program = readFileSync(new URL('./fixtures/typegen-program.ts.txt', import.meta.url), 'utf8')

const GRANTS = `
grant usage on schema public to authenticated;
grant select, insert, update, delete on all tables in schema public to authenticated;
grant usage, select on all sequences in schema public to authenticated;
grant execute on all functions in schema public to authenticated;
`

/** A folder below node_modules, so the program resolves the project's packages as it would its own. */
function programFolder(): string {
  const parent = join(root, 'node_modules', '.cache')
  mkdirSync(parent, { recursive: true })
  return mkdtempSync(join(parent, 'data-api-typegen-'))
}

describe.each(backends)('gen types on %s', (backend) => {
  let s: TestServer
  let dir: string
  let types: string
  beforeAll(async () => {
    s = await startTestServer(backend)
    await s.sql(fixture + GRANTS)
    types = await generateTypes((text, values) => s.app.db.query(text, values), { schemas: ['public'] })
    dir = programFolder()
  })
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true })
    await s?.close()
  })

  it('generates the same text on every run', async () => {
    expect(await generateTypes((text, values) => s.app.db.query(text, values), { schemas: ['public'] })).toBe(types)
  })

  it('compiles a program using the typed clients, wrong columns refused, and runs it against the API', async () => {
    writeFileSync(join(dir, 'database.ts'), types)
    writeFileSync(join(dir, 'program.ts'), program)
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ type: 'module', private: true }),
    )
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2023', 'DOM'],
          types: ['node'],
          strict: true,
          skipLibCheck: true,
          outDir: 'out',
        },
        files: ['program.ts', 'database.ts'],
      }),
    )
    const tsc = join(root, 'node_modules', '.bin', 'tsc')
    const compiled = await run(tsc, ['-p', join(dir, 'tsconfig.json')]).catch((err: { stdout?: string; stderr?: string }) => err)
    expect('stdout' in compiled ? `${compiled.stdout ?? ''}${compiled.stderr ?? ''}` : '').toBe('')

    const token = await s.token({ sub: 'typegen' })
    const { stdout } = await run(process.execPath, [join(dir, 'out', 'program.js')], {
      env: { ...process.env, REST_URL: s.base, TOKEN: token },
    })
    expect(JSON.parse(stdout)).toEqual({
      author: { id: 1, name: 'Ada', nicknames: ['ada'] },
      article: {
        id: 1,
        title: 'Hello',
        status: 'published',
        title_length: 5,
        tags: ['draft', 'published'],
        metadata: { words: ['a', 'b'] },
        authors: { name: 'Ada' },
        comments: [{ 'Body Text': 'First!' }],
      },
      profile: { bio: null, authors: { name: 'Ada' } },
      authorWithArticles: { name: 'Ada', articles: [{ title: 'Hello' }], author_profiles: { settings: {} } },
      sum: 3,
      titles: ['Hello'],
      byStatus: [{ id: 1, title: 'Hello' }],
      summary: [{ title: 'Hello', words: 7 }],
      published: [{ id: 1, title: 'Hello', status: 'published' }],
      echoed: 'hi',
      echoedTwice: 'hihi',
      address: { street: 'Main St', city: 'Springfield', zip: 12345 },
    })
  })
})
