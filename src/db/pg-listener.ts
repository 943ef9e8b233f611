/**
 * LISTEN on one channel over a dedicated connection that comes back by itself: when the connection
 * drops, reconnect with exponential backoff and LISTEN again. Notifications sent while disconnected
 * are lost (PostgreSQL does not queue them for absent listeners).
 */
import pg from 'pg'
import { quoteIdent } from '../sql/fragment.js'

export type PgListenerOptions = Readonly<{
  url: string
  applicationName?: string
  channel: string
  onNotify: (payload: string) => void
  /** first retry delay; doubles up to maxDelayMs */
  minDelayMs?: number
  maxDelayMs?: number
}>

export type PgListener = Readonly<{ stop: () => Promise<void> }>

/** Resolves once the first LISTEN succeeded; rejects (without retrying) if that first attempt fails. */
export async function startPgListener(options: PgListenerOptions): Promise<PgListener> {
  const minDelay = options.minDelayMs ?? 100
  const maxDelay = options.maxDelayMs ?? 5000
  let stopped = false
  let client: pg.Client | undefined
  let retryTimer: NodeJS.Timeout | undefined
  let delay = minDelay

  const connect = async (): Promise<pg.Client> => {
    const next = new pg.Client({
      connectionString: options.url,
      application_name: options.applicationName,
      keepAlive: true,
    })
    // a dropped connection emits 'error' and then 'end'; without a listener 'error' would crash the process
    next.on('error', () => {})
    next.on('end', () => {
      if (client === next) {
        client = undefined
        scheduleReconnect()
      }
    })
    next.on('notification', (msg) => {
      if (msg.channel === options.channel) options.onNotify(msg.payload ?? '')
    })
    try {
      await next.connect()
      await next.query(`LISTEN ${quoteIdent(options.channel)}`)
    } catch (error) {
      await next.end().catch(() => {})
      throw error
    }
    return next
  }

  const scheduleReconnect = (): void => {
    if (stopped || retryTimer) return
    retryTimer = setTimeout(() => {
      retryTimer = undefined
      connect().then(
        (next) => {
          if (stopped) {
            void next.end().catch(() => {})
            return
          }
          client = next
          delay = minDelay
        },
        () => {
          delay = Math.min(delay * 2, maxDelay)
          scheduleReconnect()
        },
      )
    }, delay)
    // a listener waiting to reconnect must not keep the process alive
    retryTimer.unref()
  }

  client = await connect()

  return {
    stop: async () => {
      stopped = true
      if (retryTimer) clearTimeout(retryTimer)
      retryTimer = undefined
      const current = client
      client = undefined
      if (current) await current.end().catch(() => {})
    },
  }
}
