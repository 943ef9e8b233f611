/**
 * `data-api auth ...`: the built-in auth service's operator commands. Through the running embedded
 * server when there is one (PGlite has a single owner), else straight against the database.
 */
import type { Command } from 'commander'
import pino from 'pino'
import type { ServerInfo } from '../app.js'
import type { RotateResult } from '../auth-service/auth-service.js'
import { rotateSigningKeys } from '../auth-service/rotate-keys.js'
import type { AppConfig } from '../config/app-config.js'

export type AuthCommandDeps = Readonly<{
  config: () => AppConfig
  runningServer: (c: AppConfig) => ServerInfo | undefined
  /** POSTs to the running server's admin API and answers its JSON */
  admin: (info: ServerInfo, path: string) => Promise<unknown>
  fail: (err: unknown) => never
}>

export function registerAuthCommands(program: Command, deps: AuthCommandDeps): void {
  const auth = program.command('auth').description('the built-in auth service (Neon Auth compatible) at /{db}/auth')
  auth
    .command('rotate-keys')
    .description('create a new JWT signing key; the old ones verify the tokens they signed for 20 more minutes')
    .option('--revoke', 'delete the old keys: tokens they signed are refused at once')
    .action(async (options: { revoke?: boolean }) => {
      try {
        const c = deps.config()
        const server = deps.runningServer(c)
        const result = server
          ? ((await deps.admin(server, `/auth/rotate-keys${options.revoke ? '?revoke=true' : ''}`)) as RotateResult)
          : await rotateSigningKeys(c, { revoke: options.revoke, logger: pino({ level: 'warn' }) })
        console.log(`New signing key ${result.kid}.`)
        if (result.revoked) console.log(`${result.retired} old key(s) deleted: tokens they signed are refused.`)
        else console.log(`${result.retired} old key(s) retired: they verify for 20 more minutes, then drop out of the JWKS.`)
      } catch (err) {
        deps.fail(err)
      }
    })
}
