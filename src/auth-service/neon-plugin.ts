/**
 * What Neon Auth adds on top of Better Auth, as a Better Auth plugin:
 * - `GET token/anonymous` → `{token, expires_at}`: a short-lived JWT for the Data API's anonymous
 *   role, which `@neondatabase/neon-js` fetches when `allowAnonymous` is set and nobody is signed in;
 * - sign-in and sign-up answers carry the session and a `set-auth-jwt` header, as `get-session`
 *   does, so a client without a cookie store (a script, a server) has its JWT at once: the SDK
 *   caches `{session, user}` from these answers and reads the JWT from the header.
 */
import { APIError, createAuthEndpoint, createAuthMiddleware } from 'better-auth/api'
import { signJWT, type JwtOptions } from 'better-auth/plugins/jwt'
import type { BetterAuthPlugin } from 'better-auth'

export const JWT_LIFETIME_SECONDS = 15 * 60

/** The JWT claims of a signed-in user: the user's fields, `role: authenticated` (`sub`, iss, aud, exp added when signing). */
export function userClaims(user: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { id, name, email, emailVerified, image, createdAt, updatedAt } = user
  return { id, name, email, emailVerified, image: image ?? null, createdAt, updatedAt, role: 'authenticated' }
}

type SessionPair = { session: Record<string, unknown>; user: Record<string, unknown> & { id: string } }

function exposeHeader(current: string | null | undefined, name: string): string {
  const names = new Set(
    (current ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean),
  )
  names.add(name)
  return [...names].join(', ')
}

export function neonAuthPlugin(options: Readonly<{ jwt: JwtOptions; anonymousRole: string | undefined }>): BetterAuthPlugin {
  return {
    id: 'neon-auth',
    endpoints: {
      getAnonymousToken: createAuthEndpoint(
        '/token/anonymous',
        {
          method: 'GET',
          metadata: {
            openapi: {
              operationId: 'getAnonymousToken',
              description: 'Get a short-lived JWT for the Data API anonymous role',
              responses: {
                200: {
                  description: 'Success',
                  content: {
                    'application/json': {
                      schema: {
                        type: 'object',
                        properties: { token: { type: 'string' }, expires_at: { type: 'number', description: 'Unix time, seconds' } },
                      },
                    },
                  },
                },
              },
            },
          },
        },
        async (ctx) => {
          if (options.anonymousRole === undefined) {
            throw new APIError('FORBIDDEN', { code: 'ANONYMOUS_ACCESS_DISABLED', message: 'Anonymous access is disabled on this server' })
          }
          const iat = Math.floor(Date.now() / 1000)
          const exp = iat + JWT_LIFETIME_SECONDS
          const token = await signJWT(ctx, { options: options.jwt, payload: { role: options.anonymousRole, iat, exp } })
          return ctx.json({ token, expires_at: exp })
        },
      ),
    },
    hooks: {
      after: [
        {
          matcher: (ctx) => ctx.path === '/sign-in/email' || ctx.path === '/sign-up/email',
          handler: createAuthMiddleware(async (ctx) => {
            const created = ctx.context.newSession as SessionPair | null | undefined
            if (!created?.session || !created.user) return
            const iat = Math.floor(Date.now() / 1000)
            const jwt = await signJWT(ctx, {
              options: options.jwt,
              payload: { iat, ...userClaims(created.user), sub: created.user.id },
            })
            ctx.setHeader('set-auth-jwt', jwt)
            ctx.setHeader('Access-Control-Expose-Headers', exposeHeader(ctx.context.responseHeaders?.get('access-control-expose-headers'), 'set-auth-jwt'))
            const returned = ctx.context.returned
            if (returned && typeof returned === 'object' && !(returned instanceof Response) && !('session' in returned)) {
              return ctx.json({ ...(returned as Record<string, unknown>), session: created.session })
            }
          }),
        },
      ],
    },
  }
}
