/** Reads a request body up to a limit; past it, stops reading and reports 413 instead of buffering it all. */
import type { IncomingMessage } from 'node:http'

export class BodyTooLarge extends Error {
  override readonly name = 'BodyTooLarge'
}

/** The client went away before its request was read: nobody is left to answer. */
export class ClientAborted extends Error {
  override readonly name = 'ClientAborted'
}

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLarge())
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        req.removeAllListeners('data')
        req.resume()
        reject(new BodyTooLarge())
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('aborted', () => reject(new ClientAborted()))
    req.on('error', (err) => reject(req.destroyed ? new ClientAborted(err.message) : err))
  })
}
