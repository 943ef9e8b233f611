/**
 * Where the auth service's emails go (verification links, password resets). Pluggable: pass any
 * EmailSender to startApp; by default the link is logged, so a local setup needs no mail server.
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

/** Logs each message with its link (the default). */
export function createConsoleEmailSender(logger: Pick<Logger, 'info'>): EmailSender {
  return {
    async send(message) {
      logger.info({ email: { kind: message.kind, to: message.to, url: message.url } }, `Email to ${message.to}: ${message.subject} ${message.url}`)
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
