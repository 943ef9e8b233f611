import { chmodSync, mkdtempSync, statSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DataFolderBusy, LOCK_FILE, ownDataFolder } from './data-folder.js'

describe('ownDataFolder', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })
  const folder = () => {
    const dir = mkdtempSync(join(tmpdir(), 'data-folder-'))
    dirs.push(dir)
    return dir
  }

  it('leaves a live owner’s files alone when it refuses', async () => {
    const dir = folder()
    // the parent of this test process runs, and is not us: a live owner
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, startedAt: new Date().toISOString(), purpose: 'data-api serve' }))
    const file = join(dir, 'being-written')
    writeFileSync(file, 'x')
    chmodSync(file, 0o644)
    const warnings: string[] = []
    await expect(ownDataFolder(dir, 'data-api sql', (m) => warnings.push(m))).rejects.toBeInstanceOf(DataFolderBusy)
    expect(statSync(file).mode & 0o777).toBe(0o644)
    expect(warnings).toEqual([])
  })

  it('tightens the folder once it holds the lock, and releases it', async () => {
    const dir = folder()
    const file = join(dir, 'loose')
    writeFileSync(file, 'x')
    chmodSync(file, 0o644)
    chmodSync(dir, 0o755)
    const warnings: string[] = []
    const owned = await ownDataFolder(dir, 'data-api serve', (m) => warnings.push(m))
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    expect(warnings).toEqual([`${dir} was readable by other users: made it private (2 files and folders set to 0700/0600)`])
    await owned.release()
    expect(() => statSync(join(dir, LOCK_FILE))).toThrow()
  })
})
