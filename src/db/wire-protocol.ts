/**
 * The few pieces of the PostgreSQL wire protocol the wire server needs itself (pglite-socket frames
 * the client's messages; PGlite answers them): reading the transaction status out of the backend's
 * ReadyForQuery messages and taking its notifications out as they stream past, and writing an
 * ErrorResponse and a Sync.
 */

/** `I` idle, `T` in a transaction block, `E` in a failed transaction block. */
export type TransactionStatus = 'I' | 'T' | 'E'

export type Notification = Readonly<{ channel: string; payload: string }>

/**
 * Follows a stream of backend messages (type byte, int32 length including itself, body) across
 * chunk boundaries: passes every message on except NotificationResponse ('A'), which it keeps (the
 * LISTENs of the one session are the API's, not the wire client's), and remembers the status of the
 * last ReadyForQuery ('Z').
 */
export class BackendStream {
  /** body bytes of the current message still to come */
  private remaining = 0
  private header: number[] = []
  /** the body of a NotificationResponse being gathered, or undefined when passing through */
  private notification: number[] | undefined
  private readyPending = false
  last: TransactionStatus | undefined
  readonly notifications: Notification[] = []

  /** Forgets the last status (the status of the next batch of output is wanted). */
  reset(): void {
    this.last = undefined
  }

  /** The parts of `chunk` to pass on. */
  feed(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = []
    let i = 0
    while (i < chunk.length) {
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, chunk.length - i)
        const part = chunk.subarray(i, i + n)
        if (this.readyPending) {
          const status = String.fromCharCode(part[0]!)
          if (status === 'I' || status === 'T' || status === 'E') this.last = status
          this.readyPending = false
        }
        if (this.notification) this.notification.push(...part)
        else out.push(part)
        this.remaining -= n
        i += n
        if (this.remaining === 0 && this.notification) this.endNotification()
        continue
      }
      this.header.push(chunk[i]!)
      i += 1
      if (this.header.length < 5) continue
      const [type, a, b, c, d] = this.header as [number, number, number, number, number]
      this.remaining = Math.max(0, (((a << 24) | (b << 16) | (c << 8) | d) >>> 0) - 4)
      this.readyPending = type === 0x5a && this.remaining > 0
      if (type === 0x41) this.notification = []
      else out.push(Uint8Array.from(this.header))
      this.header = []
      if (this.remaining === 0 && this.notification) this.endNotification()
    }
    return out
  }

  /** Body: int32 process id, channel and payload as NUL-terminated strings. */
  private endNotification(): void {
    const body = Buffer.from(this.notification ?? [])
    this.notification = undefined
    const channelEnd = body.indexOf(0, 4)
    const payloadEnd = body.indexOf(0, channelEnd + 1)
    if (channelEnd === -1 || payloadEnd === -1) return
    this.notifications.push({ channel: body.toString('utf8', 4, channelEnd), payload: body.toString('utf8', channelEnd + 1, payloadEnd) })
  }
}

function int32(value: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeInt32BE(value)
  return b
}

/** An ErrorResponse with severity, SQLSTATE and message, as the backend would send it. */
export function errorResponse(severity: 'FATAL' | 'ERROR', code: string, message: string): Buffer {
  const fields = Buffer.concat([
    ...[
      ['S', severity],
      ['V', severity],
      ['C', code],
      ['M', message],
    ].map(([tag, value]) => Buffer.concat([Buffer.from(tag!), Buffer.from(value!, 'utf8'), Buffer.from([0])])),
    Buffer.from([0]),
  ])
  return Buffer.concat([Buffer.from('E'), int32(fields.length + 4), fields])
}

/** A Sync: ends whatever extended-protocol batch a client left half sent. */
export const SYNC = new Uint8Array([0x53, 0, 0, 0, 4])
