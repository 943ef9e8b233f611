/**
 * Test support: an identity provider in the test process. Signing keys (RS256, ES256, EdDSA...), a
 * JWKS endpoint on 127.0.0.1 (random port) that can rotate keys, go down, hang, redirect or answer
 * too much, and a token signer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose'

export type SigningKey = Readonly<{ kid: string; alg: string; privateKey: CryptoKeyLike; publicKey: CryptoKeyLike; jwk: JWK }>
type CryptoKeyLike = Awaited<ReturnType<typeof generateKeyPair>>['privateKey']

let counter = 0

export async function signingKey(alg: string, kid = `${alg.toLowerCase()}-${++counter}`): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true })
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }
  return { kid, alg, privateKey, publicKey, jwk }
}

export type SignOptions = Readonly<{
  /** lifetime in seconds from now (default 3600); negative = already expired */
  expiresIn?: number
  notBefore?: number
  audience?: string | string[]
  issuer?: string
  /** header kid; null = none */
  kid?: string | null
}>

export async function sign(key: SigningKey, claims: Record<string, unknown>, options: SignOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  const header: { alg: string; typ: string; kid?: string } = { alg: key.alg, typ: 'JWT' }
  const kid = options.kid === undefined ? key.kid : options.kid
  if (kid !== null) header.kid = kid
  let jwt = new SignJWT({ role: 'authenticated', ...claims })
    .setProtectedHeader(header)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 3600))
  if (options.notBefore !== undefined) jwt = jwt.setNotBefore(options.notBefore)
  if (options.audience !== undefined) jwt = jwt.setAudience(options.audience)
  if (options.issuer !== undefined) jwt = jwt.setIssuer(options.issuer)
  return jwt.sign(key.privateKey)
}

export type JwksMode = 'serve' | 'hang' | 'error'

export type JwksServer = Readonly<{
  url: string
  /** GETs of the key set so far */
  requests: () => number
  setKeys: (keys: readonly SigningKey[] | readonly JWK[]) => void
  setMode: (mode: JwksMode) => void
  /** answer any path with this handler instead (redirect, huge bodies...) */
  setHandler: (handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined) => void
  /** stops listening and drops open connections: the provider is down (connections refused) */
  stop: () => Promise<void>
}>

export async function startJwksServer(keys: readonly SigningKey[] = [], path = '/.well-known/jwks.json'): Promise<JwksServer> {
  let jwks: JWK[] = keys.map((k) => k.jwk)
  let mode: JwksMode = 'serve'
  let count = 0
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined
  const sockets = new Set<Socket>()
  const server: Server = createServer((req, res) => {
    if (handler) return handler(req, res)
    if (req.url !== path) {
      res.writeHead(404).end()
      return
    }
    count++
    if (mode === 'hang') return
    if (mode === 'error') {
      res.writeHead(503, { 'Content-Type': 'text/plain' }).end('unavailable')
      return
    }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys: jwks }))
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  let stopped = false
  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests: () => count,
    setKeys: (next) => {
      jwks = next.map((k) => ('privateKey' in k ? (k as SigningKey).jwk : (k as JWK)))
    },
    setMode: (next) => {
      mode = next
    },
    setHandler: (next) => {
      handler = next
    },
    stop: async () => {
      if (stopped) return
      stopped = true
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
