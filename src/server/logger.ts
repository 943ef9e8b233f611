/**
 * The one way a logger is made: JSON lines (pino) with secrets redacted wherever they could appear
 * in a logged object — authorization and cookie headers, tokens, passwords, links sent by email.
 */
import pino, { type Logger } from 'pino'

const SECRET_KEYS = ['authorization', 'cookie', '"set-cookie"', 'password', 'token', 'accessToken', 'refreshToken', 'idToken', 'secret', 'adminKey', 'url']

/** Paths at the top level, one level down and inside request/response headers. */
export const REDACTED_PATHS: readonly string[] = [
  ...SECRET_KEYS.filter((k) => k !== 'url').flatMap((k) => [k, `*.${k}`]),
  ...['authorization', 'cookie', '"set-cookie"'].flatMap((k) => [`headers.${k}`, `*.headers.${k}`, `req.headers.${k}`, `res.headers.${k}`]),
  // an email's link signs its holder in
  'email.url',
]

/** A logger to standard output (a server's), or to standard error (`toStderr`: a CLI command's, whose stdout is its answer). */
export function createLogger(level: string, base?: Record<string, unknown>, options: Readonly<{ toStderr?: boolean }> = {}): Logger {
  const settings = { level, base: base ?? undefined, redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' } }
  return options.toStderr ? pino(settings, pino.destination(2)) : pino(settings)
}
