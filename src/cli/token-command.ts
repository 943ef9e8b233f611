/**
 * `data-api token`: a token the server accepts, for development and tests. It signs with the
 * server's shared secret (DATA_API_JWT_SECRET, base64 when DATA_API_JWT_SECRET_IS_BASE64, or the
 * embedded data folder's generated one) and follows the database's settings: the role goes where
 * jwt_role_claim_key says, aud and iss are set when the database checks them. When the database
 * accepts no secret-signed tokens (an identity provider's JWKS is configured), it refuses to mint one.
 */
import { SignJWT } from 'jose'
import type { Command } from 'commander'
import type { AdminClient } from '../admin/admin-client.js'
import { AdminError } from '../admin/operation.js'
import { getDataApi } from '../admin/ops/data-api-ops.js'
import { parseRoleClaimKey } from '../auth/authenticate.js'
import { secretKey } from '../auth/jwt-verifier.js'
import type { AppConfig } from '../config/app-config.js'
import { localSecret } from '../serving/local-state.js'
import { cliClient, CliError, type ConnectionFlags } from './cli-client.js'

type TokenSettings = Readonly<{ roleClaimKey: string; audience: readonly string[] | undefined; issuer: readonly string[] | undefined; jwksUrl: string | undefined }>

async function tokenSettings(client: AdminClient, config: AppConfig, database: string | undefined): Promise<TokenSettings> {
  try {
    const got = (await client.call(getDataApi, { database_name: database })) as {
      settings: { jwt_role_claim_key: string }
      auth: { jwks_url: string | null; jwt_audience: string[] | null; jwt_issuer: string[] | null }
    }
    return {
      roleClaimKey: got.settings.jwt_role_claim_key,
      audience: got.auth.jwt_audience ?? undefined,
      issuer: got.auth.jwt_issuer ?? undefined,
      jwksUrl: got.auth.jwks_url ?? undefined,
    }
  } catch (err) {
    if (!(err instanceof AdminError) || err.status !== 404) throw err
    // not enabled (yet): what the environment says
    return { roleClaimKey: config.roleClaimKey, audience: config.jwtAudience, issuer: config.jwtIssuer, jwksUrl: config.jwksUrl }
  }
}

/** `{ role }`, or the role nested where the claim key points (`.app_metadata.role`, `.roles[0]`). */
export function roleClaims(roleClaimKey: string, role: string): Record<string, unknown> {
  const path = parseRoleClaimKey(roleClaimKey)
  const root: Record<string, unknown> = {}
  let node: Record<string, unknown> | unknown[] = root
  path.forEach((part, i) => {
    const last = i === path.length - 1
    const nextIsIndex = !last && /^\d+$/.test(path[i + 1]!)
    const child: unknown = last ? role : nextIsIndex ? [] : {}
    if (Array.isArray(node)) node[Number(part)] = child
    else node[part] = child
    if (!last) node = child as Record<string, unknown> | unknown[]
  })
  return root
}

export function registerTokenCommand(program: Command, deps: Readonly<{ config: () => AppConfig; fail: (err: unknown) => never }>): void {
  program
    .command('token')
    .description('mint a token the server accepts, signed with its shared secret (for development and tests)')
    .requiredOption('--sub <sub>', 'the user id (sub claim)')
    .option('--role <role>', 'the role', 'authenticated')
    .option('--claims <json>', 'extra claims as a JSON object', '{}')
    .option('--expires-in <duration>', 'lifetime, e.g. 15m, 1h, 7d', '1h')
    .option('--database <name>', 'the database whose settings the token follows (default: the default database)')
    .option('--url <url>', 'a running data-api server')
    .option('--admin-key <key>', 'the admin key of --url')
    .addHelpText('after', '\nExamples:\n  $ data-api token --sub alice\n  $ data-api token --sub admin-1 --role admin --expires-in 15m\n  $ curl -H "Authorization: Bearer $(data-api token --sub alice)" http://127.0.0.1:3000/neondb/rest/v1/posts\n')
    .action(async (options: { sub: string; role: string; claims: string; expiresIn: string; database?: string } & ConnectionFlags) => {
      try {
        const config = deps.config()
        const secret = config.jwtSecret ?? (config.databaseUrl === undefined ? localSecret(config.dataDir, 'jwt-secret', 48) : undefined)
        if (!secret) throw new CliError('Set DATA_API_JWT_SECRET (the server’s shared secret) to mint tokens for a PostgreSQL-backed server.')
        let extra: Record<string, unknown>
        try {
          extra = JSON.parse(options.claims) as Record<string, unknown>
        } catch {
          throw new CliError('--claims must be a JSON object, e.g. {"email":"a@example.com"}')
        }
        const client = await cliClient(config, options)
        let settings: TokenSettings
        try {
          settings = await tokenSettings(client, config, options.database)
        } finally {
          await client.close()
        }
        if ((settings.jwksUrl || config.jwks) && !config.jwtSecret) {
          throw new CliError(
            `This database verifies tokens with an identity provider's keys (${settings.jwksUrl ?? 'DATA_API_JWKS'}), not with a shared secret: get a token from the provider, or set DATA_API_JWT_SECRET on the server and here.`,
          )
        }
        const jwt = new SignJWT({ ...extra, sub: options.sub, ...roleClaims(settings.roleClaimKey, options.role) })
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
          .setIssuedAt()
          .setExpirationTime(options.expiresIn)
        if (settings.audience?.[0]) jwt.setAudience(settings.audience[0])
        if (settings.issuer?.[0]) jwt.setIssuer(settings.issuer[0])
        console.log(await jwt.sign(secretKey(secret, config.jwtSecretIsBase64)))
      } catch (err) {
        deps.fail(err)
      }
    })
}
