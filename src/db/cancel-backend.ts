/**
 * PostgreSQL's CancelRequest: a new connection that names a backend (its pid and secret key) and asks
 * the server to cancel what that backend is running. Used when the client of a request goes away, so
 * an abandoned statement does not keep its connection (and the rows it locks) busy.
 */
import { connect } from 'node:net'
import type pg from 'pg'

const CANCEL_REQUEST_CODE = 80877102

/** Sends a CancelRequest for the statement this client's backend is running; settles when the server has handled it (never rejects). */
export function cancelBackend(client: pg.Client): Promise<void> {
  const c = client as unknown as { processID?: number; secretKey?: number; host?: string; port?: number }
  if (c.processID === undefined || c.secretKey === undefined) return Promise.resolve()
  const host = c.host ?? 'localhost'
  const port = c.port ?? 5432
  const packet = Buffer.alloc(16)
  packet.writeInt32BE(16, 0)
  packet.writeInt32BE(CANCEL_REQUEST_CODE, 4)
  packet.writeInt32BE(c.processID, 8)
  packet.writeInt32BE(c.secretKey, 12)
  return new Promise((resolve) => {
    const socket = host.startsWith('/') ? connect(`${host}/.s.PGSQL.${port}`) : connect(port, host)
    const done = () => {
      socket.destroy()
      resolve()
    }
    socket.setTimeout(5000, done)
    socket.on('error', done)
    socket.on('close', done)
    // written, not ended: the server closes the connection once the cancel is handled, and a client
    // that hangs up first makes PgBouncer before 1.20 abort altogether (bad client state: 0)
    socket.on('connect', () => socket.write(packet))
  })
}
