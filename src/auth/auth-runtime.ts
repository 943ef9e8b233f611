/**
 * The authenticator a server uses right now, rebuilt from configuration when the database's settings
 * change (`NOTIFY data_api, 'reload config'`) without a restart. Requests call authenticate() on the
 * runtime, which hands them to the current Authenticator; a rebuild swaps it whole (its token cache
 * included, since audience or keys may have changed). The JWKS cache survives a rebuild that keeps
 * the same URL, so a provider that is down meanwhile does not cost us its keys.
 */
import type { AppConfig } from '../config/app-config.js'
import type { ApiError } from '../errors/api-error.js'
import { errors } from '../errors/catalog.js'
import { Authenticator, parseRoleClaimKey, type AuthResult, type RequestAuthenticator, type TokenCacheStats, type TokenVerifier } from './authenticate.js'
import { RemoteKeySource, StaticKeySource, type JwksFetchError, type KeySource, type RemoteJwksOptions } from './jwks-cache.js'
import { createJwtVerifier, secretKey } from './jwt-verifier.js'

export type AuthConfig = Pick<
  AppConfig,
  | 'jwtSecret'
  | 'jwtSecretIsBase64'
  | 'jwksUrl'
  | 'jwks'
  | 'jwtAudience'
  | 'jwtIssuer'
  | 'jwtLeewaySeconds'
  | 'jwtCacheMaxLifetimeSeconds'
  | 'anonRole'
  | 'defaultRole'
  | 'roleClaimKey'
  | 'apiEnabled'
>

export type AuthRuntimeOptions = Readonly<{
  jwks?: Omit<RemoteJwksOptions, 'onError' | 'onFetched'>
  onJwksError?: (url: string, err: JwksFetchError, hasKeys: boolean) => void
  onJwksFetched?: (url: string, keys: number, ignored: number) => void
  /** the database name, for the message a disabled API answers with */
  database?: string
  /** wraps the configured verifier: the built-in auth service (src/auth-service) adds its keys this way */
  wrapVerifier?: (configured: TokenVerifier | undefined) => TokenVerifier | undefined
}>

export function apiDisabledError(database: string | undefined): ApiError {
  return errors.apiDisabled(database ?? '')
}

export class AuthRuntime implements RequestAuthenticator {
  /** the token cache's counters, over every authenticator this runtime has built */
  readonly tokenCacheStats: TokenCacheStats = { requests: 0, hits: 0, evictions: 0 }
  private authenticator: Authenticator
  private remote: RemoteKeySource | undefined

  constructor(
    config: AuthConfig,
    private readonly options: AuthRuntimeOptions = {},
  ) {
    this.authenticator = this.build(config)
  }

  authenticate(authorization: string | undefined): Promise<AuthResult> {
    return this.authenticator.authenticate(authorization)
  }

  /** Verified tokens are verified again (signing keys were rotated or revoked). */
  forgetTokens(): void {
    this.authenticator.forgetTokens()
  }

  checkEnabled(): void {
    this.authenticator.checkEnabled()
  }

  current(): Authenticator {
    return this.authenticator
  }

  /** Rebuilds the authenticator for a new configuration. Throws (keeping the current one) if it is unusable. */
  configure(config: AuthConfig): void {
    const next = this.build(config)
    this.authenticator = next
  }

  /** The JWKS endpoint in use, if any, and how its cache is doing. */
  jwksStatus(): ReturnType<RemoteKeySource['status']> | undefined {
    return this.remote?.status()
  }

  close(): void {
    this.remote?.stop()
    this.remote = undefined
  }

  private build(config: AuthConfig): Authenticator {
    let keys: KeySource | undefined
    let remote: RemoteKeySource | undefined
    if (config.jwksUrl) {
      remote = this.remote?.url === config.jwksUrl ? this.remote : this.newRemote(config.jwksUrl)
      keys = remote
    } else if (config.jwks) {
      keys = new StaticKeySource(config.jwks)
    }
    const verifier =
      config.jwtSecret || keys
        ? createJwtVerifier({
            secret: config.jwtSecret ? secretKey(config.jwtSecret, config.jwtSecretIsBase64) : undefined,
            keys,
            audience: config.jwtAudience,
            issuer: config.jwtIssuer,
            leewaySeconds: config.jwtLeewaySeconds,
          })
        : undefined
    const authenticator = new Authenticator({
      verifier: this.options.wrapVerifier ? this.options.wrapVerifier(verifier) : verifier,
      anonRole: config.anonRole,
      defaultRole: config.defaultRole,
      roleClaimPath: parseRoleClaimKey(config.roleClaimKey),
      refuseAll: config.apiEnabled ? undefined : apiDisabledError(this.options.database),
      cacheStats: this.tokenCacheStats,
      cacheMaxLifetimeMs: config.jwtCacheMaxLifetimeSeconds * 1000,
      leewaySeconds: config.jwtLeewaySeconds,
    })
    if (remote !== this.remote) {
      this.remote?.stop()
      this.remote = remote
      remote?.start()
    }
    return authenticator
  }

  private newRemote(url: string): RemoteKeySource {
    return new RemoteKeySource(url, {
      ...this.options.jwks,
      onError: (err, hasKeys) => this.options.onJwksError?.(url, err, hasKeys),
      onFetched: (keys, ignored) => this.options.onJwksFetched?.(url, keys.length, ignored),
    })
  }
}
