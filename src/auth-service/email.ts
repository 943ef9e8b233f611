/**
 * Where the auth service's emails go (verification links, password resets). Pluggable: pass any
 * EmailSender to startApp, or set DATA_API_AUTH_EMAIL_WEBHOOK. The links in them sign a user in or
 * set their password, so they never go to the log: without a transport an email is not sent (and the
 * log says so, without the link); DATA_API_AUTH_PRINT_EMAILS=true prints them on standard error, for
 * development only.
 */
import type { Logger } from 'pino'

export type EmailMessage = Readonly<{
  kind: 'verify-email' | 'reset-password'
  to: string
  subject: string
  text: string
  /** the link the recipient follows */
  url: string
}>

export interface EmailSender {
  send(message: EmailMessage): Promise<void>
}

/** `ada@example.com` → `a***@example.com`: enough to tell users apart in a log, not to address them. */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@')
  return at <= 0 ? '***' : `${address[0]}***${address.slice(at)}`
}

/** No transport: the email is dropped, and the log says so without its link. */
export function createUnsentEmailSender(logger: Pick<Logger, 'warn'>): EmailSender {
  return {
    async send(message) {
      logger.warn(
        { email: { kind: message.kind, to: maskAddress(message.to) } },
        `The ${message.kind} email to ${maskAddress(message.to)} was not sent: no email transport is configured (DATA_API_AUTH_EMAIL_WEBHOOK)`,
      )
    },
  }
}

/** Development only: each email, link included, on standard error (never the log). */
export function createPrintingEmailSender(write: (text: string) => void = (text) => process.stderr.write(text)): EmailSender {
  return {
    async send(message) {
      write(`\n--- email (DATA_API_AUTH_PRINT_EMAILS) ---\nTo: ${message.to}\nSubject: ${message.subject}\n\n${message.text}---\n`)
    },
  }
}

/** POSTs each message as JSON to a URL (a mail relay, a serverless function...). */
export function createWebhookEmailSender(url: string): EmailSender {
  return {
    async send(message) {
      const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(message) })
      if (!res.ok) throw new Error(`email webhook answered ${res.status}`)
    },
  }
}

export function verificationEmail(to: string, url: string): EmailMessage {
  return { kind: 'verify-email', to, url, subject: 'Verify your email address', text: `Follow this link to verify your email address:\n\n${url}\n` }
}

export function resetPasswordEmail(to: string, url: string): EmailMessage {
  return { kind: 'reset-password', to, url, subject: 'Reset your password', text: `Follow this link to choose a new password:\n\n${url}\n` }
}
