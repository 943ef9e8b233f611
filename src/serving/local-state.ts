/**
 * What an embedded server keeps in its data folder besides the databases: generated secrets (the
 * admin key, the JWT secret `data-api token` signs with) and server.json, which tells the CLI where
 * the running server is and how to reach it.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isInMemory } from './pglite-store.js'

/** Written in the data folder while an embedded server runs, so the CLI can reach it. */
export type ServerInfo = Readonly<{ pid: number; url: string; adminKey: string; wireUrl?: string }>

export function serverInfoPath(dataDir: string): string {
  return join(dataDir, 'server.json')
}

export function writeServerInfo(dataDir: string, info: ServerInfo): void {
  if (isInMemory(dataDir)) return
  writeFileSync(serverInfoPath(dataDir), JSON.stringify(info), { mode: 0o600 })
}

export function removeServerInfo(dataDir: string): void {
  if (isInMemory(dataDir)) return
  rmSync(serverInfoPath(dataDir), { force: true })
}

/** The embedded server that owns the data folder, if one is running. */
export function runningServer(dataDir: string): ServerInfo | undefined {
  if (isInMemory(dataDir)) return undefined
  try {
    const info = JSON.parse(readFileSync(serverInfoPath(dataDir), 'utf8')) as ServerInfo
    process.kill(info.pid, 0)
    return info
  } catch {
    return undefined
  }
}

/** A secret kept in the data folder, created on first use (embedded mode needs no setup). */
export function localSecret(dataDir: string, file: string, bytes: number): string {
  if (isInMemory(dataDir)) return randomBytes(bytes).toString('base64url')
  const path = join(dataDir, file)
  if (existsSync(path)) return readFileSync(path, 'utf8').trim()
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const secret = randomBytes(bytes).toString('base64url')
  writeFileSync(path, `${secret}\n`, { mode: 0o600 })
  return secret
}
