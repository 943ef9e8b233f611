/**
 * The web console in Chromium, against the real server: `data-api serve` started as a process on a
 * fresh embedded data folder (and on a fresh PostgreSQL database when DATABASE_URL is set), signed
 * in with the link its banner prints. The getting-started walkthrough, click by click, finding
 * controls by role and accessible name: disable, enable with both boxes ticked, the guide's posts
 * table in the SQL Editor, RLS warnings and their fix, a setting the REST API obeys, the advisors
 * before and after a fix, tables, users, signing out and in again. Offline: any request to another
 * origin is refused and noted, and so is any CSP violation or page error.
 *
 * A failure writes screenshots (the step that failed, then every page) to test-results/console/.
 * With DATA_API_CONSOLE_SCREENSHOTS=dir, the embedded run also writes the screenshots of
 * docs/console.md there.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_GRANTS } from '../src/admin/default-grants.js'
import { consoleDir } from '../src/server/console-assets.js'
import { signUpUser } from './support/auth-helpers.js'
import { cleanEnv } from './support/clean-env.js'
import { POSTS } from './support/posts.js'
import { createTempPostgres, type TempPostgres } from './support/temp-postgres.js'
import { backends, type Backend } from './support/test-server.js'

const CHROMIUM = '/usr/bin/chromium'
const FAILURES = join(process.cwd(), 'test-results', 'console')
const DOC_SHOTS = process.env.DATA_API_CONSOLE_SCREENSHOTS
const PAGES = ['Data API', 'SQL Editor', 'Tables', 'Auth', 'Advisors'] as const
const RLS_TEXT = (table: string) => `${table} has RLS disabled. All authenticated users can view all rows in this table.`

type Served = Readonly<{ url: string; database: string; link: string; adminKey: string; stop: () => Promise<void> }>

/** `data-api serve` on a fresh data folder (or database), until its banner prints the console link. */
async function serve(backend: Backend): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), 'data-api-console-'))
  let temp: TempPostgres | undefined
  let child: ChildProcess | undefined
  const stop = async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child!.once('exit', r))
      child.kill('SIGTERM')
      await exited
    }
    await temp?.drop()
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    temp = backend === 'postgres' ? await createTempPostgres('dapi_console') : undefined
    const adminKey = randomBytes(24).toString('base64url')
    const env = cleanEnv({
      DATA_API_DIR: dir,
      PORT: '0',
      DATA_API_LOG_LEVEL: 'warn',
      DATA_API_WIRE_PORT: 'off',
      ...(temp ? { DATABASE_URL: temp.url, DATA_API_ADMIN_KEY: adminKey } : {}),
    })
    child = spawn('node', ['--import', 'tsx', 'src/cli/main.ts', 'serve'], { env, cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()))
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()))
    const deadline = Date.now() + 90_000
    while (!/^\s+Console\s+\S+/m.test(output)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the server did not print its console link:\n${output}`)
      await new Promise((r) => setTimeout(r, 100))
    }
    const [, url, database] = /REST API\s+(http:\/\/[^/\s]+)\/([^/\s]+)\/rest\/v1/.exec(output)!
    const link = /^\s+Console\s+(\S+)/m.exec(output)![1]!
    return { url: url!, database: decodeURIComponent(database!), link, adminKey: temp ? adminKey : readFileSync(join(dir, 'admin-key'), 'utf8').trim(), stop }
  } catch (err) {
    await stop()
    throw err
  }
}

describe.each(backends)('web console in Chromium on %s', (backend) => {
  describe.skipIf(!existsSync(CHROMIUM))('the getting-started walkthrough', () => {
    let served: Served
    /** a second database, for the picker; deleted afterwards (on PostgreSQL it would outlive the run) */
    let otherDatabase: string | undefined
    let context: BrowserContext
    let profile: string
    const external: string[] = []
    const problems: string[] = []

    beforeAll(async () => {
      if (!existsSync(join(consoleDir(), 'index.html'))) throw new Error('The web console is not built: run `npm run build` first.')
      served = await serve(backend)
      profile = mkdtempSync(join(tmpdir(), 'data-api-chromium-'))
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        viewport: { width: 1280, height: 800 },
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      })
      context.setDefaultTimeout(30_000)
      const origin = new URL(served.url).origin
      // no network: anything not served by this server is refused (and noted)
      await context.route('**/*', async (route) => {
        const url = route.request().url()
        if (url.startsWith(`${origin}/`) || url.startsWith('data:')) return route.continue()
        external.push(url)
        return route.abort('internetdisconnected')
      })
    })
    afterAll(async () => {
      await context?.close()
      if (profile) rmSync(profile, { recursive: true, force: true })
      if (served && otherDatabase) {
        await fetch(`${served.url}/api/v2/projects/local/branches/main/databases/${otherDatabase}`, {
          method: 'DELETE',
          headers: { Authorization: `Bearer ${served.adminKey}` },
        }).catch(() => undefined)
      }
      await served?.stop()
    })

    it('goes from the banner link to a secured posts table, and signs out', { timeout: 600_000 }, async () => {
      const page = context.pages()[0] ?? (await context.newPage())
      page.on('console', (m) => {
        // the API's 4xx answers are part of the walkthrough (not enabled yet, a bad setting, a SQL
        // error, signed out); Chromium logs each. Anything else logged as an error is a problem.
        const expected = /^Failed to load resource: the server responded with a status of 4\d\d /.test(m.text())
        if (/Content Security Policy|Refused to|TrustedHTML|Trusted Type/.test(m.text()) || (m.type() === 'error' && !expected)) problems.push(m.text())
      })
      page.on('pageerror', (err) => problems.push(err.message))
      let step = 'sign in with the banner link'
      const { url, database, link } = served
      const rest = `${url}/${encodeURIComponent(database)}/rest/v1`
      const heading = (name: string) => page.getByRole('heading', { level: 1, name, exact: true })
      const go = async (name: (typeof PAGES)[number]) => {
        await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true }).click()
        await heading(name).waitFor()
      }
      const shot = async (name: string) => {
        if (DOC_SHOTS && backend === 'pglite') await page.screenshot({ path: join(DOC_SHOTS, `${name}.png`), fullPage: true })
      }
      // Under load, CodeMirror has kept part of the old text after fill() (a CI run's screenshot showed the
      // new script with the previous one after it): empty the editor and check what it holds.
      const setSql = async (sql: string) => {
        const editor = page.getByRole('textbox', { name: 'SQL' })
        let held: string | null = null
        for (let attempt = 0; attempt < 3; attempt++) {
          await editor.click()
          await page.keyboard.press('ControlOrMeta+A')
          await page.keyboard.press('Delete')
          await editor.fill(sql)
          held = await editor.textContent()
          if (held === sql.replaceAll('\n', '')) return
        }
        throw new Error(`the SQL editor holds ${JSON.stringify(held)}, not the script`)
      }
      const runSql = async (sql: string, statements: number) => {
        await setSql(sql)
        await page.getByRole('button', { name: 'Run', exact: true }).click()
        await page.getByRole('status').filter({ hasText: new RegExp(`^Ran ${statements} statements? in [\\d,]+ ms\\.$`) }).waitFor()
      }

      try {
        // 1. the banner's one-time link signs in
        await page.goto(link)
        await heading('Data API').waitFor()
        expect(new URL(page.url()).pathname).toBe('/console/')

        // the picker, once the server has a second database: the page follows it
        step = 'pick another database'
        const other = `${database}_shop`
        const created = await fetch(`${url}/api/v2/projects/local/branches/main/databases`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${served.adminKey}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ database: { name: other } }),
        })
        expect(created.status).toBe(201)
        otherDatabase = other
        await page.reload()
        const picker = page.getByRole('combobox', { name: 'Database' })
        await picker.selectOption(other)
        await page.getByRole('button', { name: 'Enable Data API' }).waitFor()
        expect(new URL(page.url()).hash).toBe(`#/data-api?db=${other}`)
        await picker.selectOption(database)
        await heading('Data API').waitFor()
        expect(new URL(page.url()).hash).toBe('#/data-api')

        // 2. if enabled, disable (with the confirmation dialog)
        step = 'disable the Data API'
        const apiTab = page.getByRole('tab', { name: 'API', exact: true })
        const enableButton = page.getByRole('button', { name: 'Enable Data API' })
        await apiTab.or(enableButton).waitFor()
        if (await apiTab.isVisible()) {
          await page.getByRole('tab', { name: 'Settings', exact: true }).click()
          await page.getByRole('button', { name: 'Disable Data API' }).click()
          const dialog = page.getByRole('dialog', { name: 'Disable the Data API?' })
          await dialog.getByRole('button', { name: 'Disable', exact: true }).click()
          await dialog.waitFor({ state: 'detached' })
          await enableButton.waitFor()
        }

        // 3. enable with "Use built-in auth" and "Grant public schema access", the statements shown first
        step = 'enable the Data API'
        await page.getByRole('checkbox', { name: 'Use built-in auth' }).check()
        await page.getByRole('checkbox', { name: 'Grant public schema access' }).check()
        const disclosure = page.getByRole('button', { name: 'View the GRANT statements applied' })
        expect(await disclosure.getAttribute('aria-expanded')).toBe('false')
        await disclosure.click()
        expect(await disclosure.getAttribute('aria-expanded')).toBe('true')
        const grants = page.locator(`[id="${await disclosure.getAttribute('aria-controls')}"]`)
        await grants.waitFor()
        expect(await grants.textContent()).toBe(DEFAULT_GRANTS.join('\n'))
        await shot('data-api-enable')
        await enableButton.click()
        await apiTab.waitFor()
        await page.getByText(`The Data API is enabled for ${database}. Applied 4 GRANT statements.`).waitFor()

        // 4. the guide's posts table, in the SQL Editor: several statements in one run
        step = 'create posts in the SQL Editor'
        await go('SQL Editor')
        const posts = `${POSTS}\ninsert into posts (user_id, content, is_published) values ('alice', 'Hello', true), ('bob', 'World', true);`
        await runSql(posts, 7)
        expect(await page.getByRole('article').count()).toBe(7)
        await page.getByRole('article', { name: 'Statement 7' }).getByRole('heading', { name: 'Statement 7 INSERT · 2 rows affected' }).waitFor()

        // an error: message, position marked in the editor; Ctrl+Enter runs
        step = 'show a SQL error'
        const editor = page.getByRole('textbox', { name: 'SQL' })
        await setSql('select 1;\nselect * from nope')
        await editor.press('Control+Enter')
        const error = page.getByRole('alert').filter({ hasText: 'relation "nope" does not exist' })
        await error.waitFor()
        await error.getByText('At line 2, column 15 (marked in the editor).').waitFor()
        expect(await page.locator('.cm-sql-error').textContent()).toBe('nope')
        await runSql("select id, content, is_published from posts order by id;\nselect count(*) as n from posts", 2)
        await page.getByRole('region', { name: 'Statement 1: SELECT · 2 rows' }).getByRole('cell', { name: 'Hello', exact: true }).waitFor()
        // the run history, kept in the browser
        await page.getByRole('button', { name: /^Load into the editor: select 1;/ }).waitFor()
        expect(await page.getByRole('complementary', { name: 'History' }).getByRole('listitem').count()).toBe(3)
        await shot('sql-editor')

        // 5. the API tab: the URL, and no warning for posts (its RLS is on)
        step = 'read the API tab'
        await go('Data API')
        expect(await page.getByRole('textbox', { name: 'API URL' }).inputValue()).toBe(rest)
        await page.getByText('Every table the API exposes has row-level security enabled.').waitFor()
        expect(await page.getByText(RLS_TEXT('posts')).count()).toBe(0)
        await page.getByRole('button', { name: 'Refresh schema cache' }).click()
        await page.getByRole('status').filter({ hasText: /^Schema cache refreshed at / }).waitFor()

        // 6. two tables without RLS: a warning each, and an advisor finding each
        step = 'create tables without RLS'
        await go('SQL Editor')
        await runSql('create table notes (id int primary key, body text);\ncreate table drafts (id int primary key, body text);', 2)
        await go('Advisors')
        const finding = (table: string) => page.getByRole('heading', { name: `RLS Disabled in Public · public.${table}`, exact: true })
        await finding('notes').waitFor()
        await finding('drafts').waitFor()
        await shot('advisors')
        await go('Data API')
        const notesWarning = page.getByText(RLS_TEXT('notes'), { exact: true })
        await notesWarning.waitFor()
        await page.getByText(RLS_TEXT('drafts'), { exact: true }).waitFor()
        await shot('data-api-api')

        // 7. "Enable RLS": the warning goes away without a reload
        step = 'enable RLS from the warning'
        // (page scripts as text: this file is type-checked without the DOM's types)
        await page.evaluate('window.consoleTestMarker = 42')
        await page.getByRole('listitem').filter({ hasText: RLS_TEXT('notes') }).getByRole('button', { name: 'Enable RLS' }).click()
        await notesWarning.waitFor({ state: 'detached' })
        await page.getByText(RLS_TEXT('drafts'), { exact: true }).waitFor()
        expect(await page.evaluate('window.consoleTestMarker')).toBe(42)

        // 8. the advisors: notes' finding is gone; drafts' is fixed with its own SQL
        step = 'fix from the advisors'
        await go('Advisors')
        await finding('drafts').waitFor()
        expect(await finding('notes').count()).toBe(0)
        await page.getByRole('listitem').filter({ has: finding('drafts') }).getByRole('button', { name: 'Run fix' }).click()
        const fix = page.getByRole('dialog', { name: 'Run this fix?' })
        await fix.getByText('ALTER TABLE public.drafts ENABLE ROW LEVEL SECURITY;').waitFor()
        await fix.getByRole('button', { name: 'Run', exact: true }).click()
        await page.getByText('Ran: ALTER TABLE public.drafts ENABLE ROW LEVEL SECURITY;').waitFor()
        await finding('drafts').waitFor({ state: 'detached' })

        // 9. "Maximum rows per request": a bad value is refused next to its field; 1 → the REST API answers one row
        step = 'change Maximum rows per request'
        const user = await signUpUser(`${url}/${encodeURIComponent(database)}/auth`, 'Ada')
        const readPosts = async () => {
          const res = await fetch(`${rest}/posts?select=content&order=id`, { headers: { Authorization: `Bearer ${user.jwt}` } })
          expect(res.status).toBe(200)
          return res.json()
        }
        expect(await readPosts()).toEqual([{ content: 'Hello' }, { content: 'World' }])
        await go('Data API')
        await page.getByRole('tab', { name: 'Settings', exact: true }).click()
        const maxRows = page.getByRole('textbox', { name: 'Maximum rows per request' })
        await maxRows.fill('0')
        await page.getByRole('button', { name: 'Save', exact: true }).click()
        await page.getByText('must be at least 1', { exact: true }).waitFor()
        expect(await maxRows.getAttribute('aria-invalid')).toBe('true')
        await maxRows.fill('1')
        await page.getByRole('button', { name: 'Save', exact: true }).click()
        await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor()
        expect(await maxRows.getAttribute('aria-invalid')).toBeNull()
        expect(await readPosts()).toEqual([{ content: 'Hello' }])
        await shot('data-api-settings')

        // another identity provider: a bad URL is refused next to its field; added, listed, removed
        step = 'add and remove an identity provider'
        await page.getByRole('button', { name: 'Add provider' }).click()
        const jwksField = page.getByRole('textbox', { name: 'JWKS URL' })
        await jwksField.fill('not a url')
        await page.getByRole('button', { name: 'Save provider' }).click()
        await page.getByText('must be an http(s) URL', { exact: true }).waitFor()
        expect(await jwksField.getAttribute('aria-invalid')).toBe('true')
        // the server's own JWKS, so nothing reaches for the network
        await jwksField.fill(`${url}/${encodeURIComponent(database)}/auth/.well-known/jwks.json`)
        await page.getByRole('textbox', { name: 'JWT audience' }).fill('my-app')
        await page.getByRole('textbox', { name: 'Provider name' }).fill('Own JWKS')
        await page.getByRole('button', { name: 'Save provider' }).click()
        await page.getByText('Audience: my-app', { exact: true }).waitFor()
        await page.getByRole('button', { name: 'Remove Own JWKS' }).click()
        await page.getByRole('dialog', { name: 'Remove Own JWKS?' }).getByRole('button', { name: 'Remove', exact: true }).click()
        await page.getByText('No other identity provider.').waitFor()

        // the tabs answer the arrow keys
        await page.getByRole('tab', { name: 'Settings', exact: true }).press('ArrowLeft')
        expect(await page.getByRole('tab', { name: 'API', exact: true }).getAttribute('aria-selected')).toBe('true')

        // 10. Tables: posts with its policies and its rows
        step = 'browse the tables'
        await go('Tables')
        await page.getByRole('navigation', { name: 'Tables' }).getByRole('button', { name: /^posts/ }).click()
        await page.getByRole('heading', { name: 'public.posts', exact: true }).waitFor()
        await page.getByRole('region', { name: 'Policies of posts' }).getByRole('cell', { name: 'read published or own', exact: true }).waitFor()
        await page.getByRole('region', { name: 'Columns of posts' }).getByRole('cell', { name: /auth\.user_id\(\)/ }).waitFor()
        await page.getByRole('status').filter({ hasText: 'Rows 1–2 of 2 rows' }).waitFor()
        await page.getByRole('region', { name: 'Rows of posts' }).getByRole('cell', { name: 'World', exact: true }).waitFor()
        await shot('tables')

        // 11. Auth: the user who signed up (search, delete), trusted origins
        step = 'manage users and origins'
        await go('Auth')
        expect(await page.getByRole('textbox', { name: 'Auth URL' }).inputValue()).toBe(`${url}/${encodeURIComponent(database)}/auth`)
        expect(await page.getByRole('link', { name: 'API reference' }).getAttribute('href')).toBe(`${url}/${encodeURIComponent(database)}/auth/reference`)
        await page.getByRole('cell', { name: user.email, exact: true }).waitFor()
        await page.getByRole('searchbox', { name: 'Search users' }).fill('nobody-like-this')
        await page.getByRole('button', { name: 'Search', exact: true }).click()
        await page.getByText('No user matches.').waitFor()
        await page.getByRole('searchbox', { name: 'Search users' }).fill('ada')
        await page.getByRole('button', { name: 'Search', exact: true }).click()
        await page.getByRole('cell', { name: user.email, exact: true }).waitFor()
        await page.getByRole('textbox', { name: 'Origin' }).fill('https://app.example.com')
        await page.getByRole('button', { name: 'Add origin' }).click()
        await page.getByRole('button', { name: 'Remove https://app.example.com' }).waitFor()
        await shot('auth')
        await page.getByRole('button', { name: 'Remove https://app.example.com' }).click()
        await page.getByRole('button', { name: 'Remove https://app.example.com' }).waitFor({ state: 'detached' })
        await page.getByRole('button', { name: `Delete ${user.email}` }).click()
        const confirm = page.getByRole('dialog', { name: `Delete ${user.email}?` })
        await confirm.getByRole('button', { name: 'Delete user' }).click()
        await page.getByText('No user matches.').waitFor()

        // 12. a phone: the navigation wraps into a bar, nothing overflows sideways
        step = 'fit a phone'
        await page.setViewportSize({ width: 390, height: 844 })
        await go('Data API')
        await page.getByRole('textbox', { name: 'API URL' }).waitFor()
        expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true)
        await shot('phone')
        await page.setViewportSize({ width: 1280, height: 800 })

        // 13. signed out: the form, and every API call 401
        step = 'sign out'
        await page.getByRole('button', { name: 'Sign out' }).click()
        await page.getByRole('button', { name: 'Sign in' }).waitFor()
        const status = await page.evaluate(async () => (await fetch('/api/v2/projects', { headers: { 'X-Data-API-Console': '1' } })).status)
        expect(status).toBe(401)
        // the banner's link worked once
        await page.goto(link)
        await page.getByText('That sign-in link has expired or was used already.', { exact: false }).waitFor()
        await shot('sign-in')

        // 14. and in again with the admin key
        step = 'sign in with the admin key'
        await page.getByRole('textbox', { name: 'Admin key' }).fill('not the key')
        await page.getByRole('button', { name: 'Sign in' }).click()
        await page.getByRole('alert').filter({ hasText: 'That is not the admin key of this server.' }).waitFor()
        await page.getByRole('textbox', { name: 'Admin key' }).fill(served.adminKey)
        await page.getByRole('button', { name: 'Sign in' }).click()
        await heading('Data API').waitFor()
        await page.getByRole('tab', { name: 'API', exact: true }).waitFor()
      } catch (err) {
        await failureScreenshots(page, backend, step)
        throw err
      }
      expect(external).toEqual([])
      expect(problems).toEqual([])
    })
  })
})

/** The page as the failing step left it, then every page of the console, for a red run to be read. */
async function failureScreenshots(page: Page, backend: Backend, step: string): Promise<void> {
  mkdirSync(FAILURES, { recursive: true })
  const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-')
  const files: string[] = []
  const take = async (name: string) => {
    const path = join(FAILURES, `${backend}-${name}.png`)
    await page.screenshot({ path, fullPage: true, timeout: 10_000 }).then(
      () => files.push(path),
      () => undefined,
    )
  }
  await take(`failed-${slug(step)}`)
  for (const name of PAGES) {
    const link = page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true })
    if (!(await link.isVisible().catch(() => false))) break
    await link.click({ timeout: 5000 }).catch(() => undefined)
    // its heading, then whatever it loads (or its error) has had its chance to show
    await page.getByRole('heading', { level: 1, name, exact: true }).waitFor({ timeout: 5000 }).catch(() => undefined)
    await page.waitForLoadState('networkidle', { timeout: 5000 }).catch(() => undefined)
    await take(`page-${slug(name)}`)
  }
  console.error(`console walkthrough failed at "${step}"; screenshots:\n  ${files.join('\n  ')}`)
}
