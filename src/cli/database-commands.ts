/**
 * `data-api enable | disable | status`: the CLI face of src/admin (enable-database.ts,
 * database-status.ts). They work on the PostgreSQL database named by --database-url (or
 * DATABASE_URL), or on the embedded database when no server owns it.
 */
import type { Command } from 'commander'
import type { AppConfig } from '../config/app-config.js'
import type { Database } from '../db/database.js'
import { openDatabase } from '../db/open-database.js'
import { databaseStatus, formatStatus } from '../admin/database-status.js'
import { disableDatabase, enableDatabase } from '../admin/enable-database.js'
import { BUILT_IN_PROVIDER, type DataApiSettings } from '../admin/settings.js'

export type CliContext = Readonly<{
  config: () => AppConfig
  /** whether a server owns the embedded database now */
  embeddedServerRunning: (c: AppConfig) => boolean
  fail: (err: unknown) => never
}>

type DbOption = { databaseUrl?: string }

async function withDatabase<T>(ctx: CliContext, options: DbOption, work: (db: Database, c: AppConfig) => Promise<T>): Promise<T> {
  const c = ctx.config()
  const databaseUrl = options.databaseUrl ?? c.databaseUrl
  if (!databaseUrl && ctx.embeddedServerRunning(c)) {
    throw new Error('A data-api server owns the embedded database; stop it first (or give --database-url).')
  }
  const db = await openDatabase({ databaseUrl, dataDir: c.dataDir, poolSize: 1, name: c.embeddedName })
  try {
    return await work(db, c)
  } finally {
    await db.close()
  }
}

/** `a,b` → ['a', 'b']; `none` → null (clear the stored value). */
function listOption(value: string | undefined): string | string[] | null | undefined {
  if (value === undefined) return undefined
  if (value === 'none' || value === '') return null
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
  return items.length === 1 ? items[0]! : items
}

/** The URL a server should connect with: the same host and database, as authenticator. */
export function authenticatorUrl(databaseUrl: string, password: string): string {
  const url = new URL(databaseUrl)
  url.username = 'authenticator'
  url.password = encodeURIComponent(password)
  return url.toString()
}

type EnableFlags = DbOption & {
  grantPublicSchema?: boolean
  resetPassword?: boolean
  authProvider?: string
  jwksUrl?: string
  audience?: string
  issuer?: string
  anonRole?: string
  roleClaimKey?: string
}

export function registerDatabaseCommands(program: Command, ctx: CliContext): void {
  program
    .command('enable')
    .description('enable the Data API on a database: roles, auth functions, settings (idempotent, one transaction)')
    .option('--database-url <url>', 'the PostgreSQL database (default DATABASE_URL, else the embedded database)')
    .option('--grant-public-schema', 'let role authenticated use the tables of schema public (now and future ones)')
    .option('--reset-password', 'give role authenticator a new password even if it exists')
    .option('--auth-provider <provider>', `${BUILT_IN_PROVIDER}, or the JWKS URL of an identity provider`)
    .option('--jwks-url <url>', 'same as --auth-provider <url>')
    .option('--audience <aud>', 'accepted token audiences, comma-separated (none = not checked)')
    .option('--issuer <iss>', 'accepted token issuers, comma-separated (none = not checked)')
    .option('--anon-role <role>', 'role for requests without a token (none = anonymous access disabled)')
    .option('--role-claim-key <key>', 'where the role is in the token, e.g. .role or .app_metadata.role')
    .action(async (flags: EnableFlags) => {
      try {
        const settings: DataApiSettings = {
          auth_provider: flags.jwksUrl ?? flags.authProvider,
          jwt_audience: listOption(flags.audience),
          jwt_issuer: listOption(flags.issuer),
          anon_role: flags.anonRole === undefined ? undefined : flags.anonRole === 'none' ? null : flags.anonRole,
          role_claim_key: flags.roleClaimKey,
        }
        await withDatabase(ctx, flags, async (db, c) => {
          const result = await enableDatabase(db, {
            grantPublicSchema: flags.grantPublicSchema === true,
            resetPassword: flags.resetPassword === true,
            settings,
          })
          const out: string[] = [`Data API enabled on database "${db.name}".`]
          if (result.createdAuthenticator) out.push('Created role authenticator (LOGIN NOINHERIT), member of authenticated and anonymous.')
          if (result.password) {
            const url = flags.databaseUrl ?? c.databaseUrl
            out.push('')
            out.push(`Password of role authenticator (shown once, store it now): ${result.password}`)
            if (url) out.push(`Serve the database with:\n  DATABASE_URL='${authenticatorUrl(url, result.password)}' data-api serve`)
          } else if (db.kind === 'postgres') {
            out.push('Role authenticator already exists; its password was left unchanged (--reset-password sets a new one).')
          }
          if (flags.grantPublicSchema) out.push('Granted role authenticated the use of schema public (tables, sequences, future tables).')
          for (const warning of result.warnings) out.push(`Note: ${warning}`)
          out.push('')
          out.push(formatStatus(await databaseStatus(db, { schemas: c.schemas })))
          console.log(out.join('\n'))
        })
      } catch (err) {
        ctx.fail(err)
      }
    })

  program
    .command('disable')
    .description('disable the Data API on a database (servers answer 404); tables, roles and grants stay')
    .option('--database-url <url>', 'the PostgreSQL database (default DATABASE_URL, else the embedded database)')
    .action(async (flags: DbOption) => {
      try {
        await withDatabase(ctx, flags, async (db) => {
          await disableDatabase(db)
          console.log(`Data API disabled on database "${db.name}". Nothing else was changed; data-api enable turns it back on.`)
        })
      } catch (err) {
        ctx.fail(err)
      }
    })

  program
    .command('status')
    .description('show whether the Data API is enabled, its settings, and tables without row-level security')
    .option('--database-url <url>', 'the PostgreSQL database (default DATABASE_URL, else the embedded database)')
    .option('--json', 'print JSON')
    .action(async (flags: DbOption & { json?: boolean }) => {
      try {
        await withDatabase(ctx, flags, async (db, c) => {
          const status = await databaseStatus(db, { schemas: c.schemas })
          console.log(flags.json ? JSON.stringify(status, null, 2) : formatStatus(status))
        })
      } catch (err) {
        ctx.fail(err)
      }
    })
}
