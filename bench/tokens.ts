/**
 * HS256 tokens for the benchmark's users, as a client of the API would hold them: role
 * `authenticated`, `sub` = the user id, valid for the whole run.
 */
import { SignJWT } from 'jose'
import { userId } from './fixture.js'

export async function mintTokens(secret: string, users: number, lifetimeSeconds = 4 * 3600): Promise<string[]> {
  const key = new TextEncoder().encode(secret)
  const tokens: string[] = []
  for (let user = 1; user <= users; user++) {
    tokens.push(
      await new SignJWT({ sub: userId(user), role: 'authenticated' })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuedAt()
        .setExpirationTime(`${lifetimeSeconds}s`)
        .sign(key),
    )
  }
  return tokens
}
