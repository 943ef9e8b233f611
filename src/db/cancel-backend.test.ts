import { createServer, type AddressInfo, type Socket } from 'node:net'
import type pg from 'pg'
import { describe, expect, it } from 'vitest'
import { cancelBackend } from './cancel-backend.js'

describe('cancelBackend', () => {
  it('sends the CancelRequest and waits for the server to hang up, without hanging up first', async () => {
    const received: Buffer[] = []
    let clientEnded = false
    let settled = false
    let serverSide: Socket | undefined
    const server = createServer((socket) => {
      serverSide = socket
      socket.on('data', (chunk) => received.push(chunk))
      socket.on('end', () => {
        clientEnded = true
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as AddressInfo).port
    const client = { processID: 4242, secretKey: -7, host: '127.0.0.1', port } as unknown as pg.Client
    const sent = cancelBackend(client).then(() => {
      settled = true
    })
    await new Promise((resolve) => setTimeout(resolve, 300))
    const packet = Buffer.concat(received)
    expect([packet.readInt32BE(0), packet.readInt32BE(4), packet.readInt32BE(8), packet.readInt32BE(12)]).toEqual([16, 80877102, 4242, -7])
    // PgBouncer before 1.20 aborts when a cancel client hangs up before the cancel is handled
    expect(clientEnded).toBe(false)
    expect(settled).toBe(false)
    serverSide!.end()
    await sent
    expect(settled).toBe(true)
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  it('settles without a connection when the client has no backend key', async () => {
    await expect(cancelBackend({} as pg.Client)).resolves.toBeUndefined()
  })
})
