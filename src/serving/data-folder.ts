/**
 * The embedded data folder: private to its user, and owned by one process at a time.
 *
 * - Private: created 0700 with files 0600 (the process umask is set to 077 before anything is
 *   written, so PGlite's own files are private too); a looser existing folder is tightened at start,
 *   with a warning. The folder holds the WAL (session tokens pass through it), the admin key and the
 *   JWT secret: nobody else on the machine may read it.
 * - One owner: PGlite is one process's database, and two processes writing one folder lose writes.
 *   A lock file (`lock`, created exclusively) names the owner's pid; a second server or CLI refuses
 *   with one line naming it. A lock left by a process that no longer runs is taken over.
 */
import { chmod, lstat, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'

export const LOCK_FILE = 'lock'

export type LockOwner = Readonly<{ pid: number; startedAt: string; purpose: string }>

export class DataFolderBusy extends Error {
  override readonly name = 'DataFolderBusy'
  constructor(
    readonly owner: LockOwner,
    message: string,
  ) {
    super(message)
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: it runs, as another user
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(path, 'utf8')) as LockOwner
    return typeof owner.pid === 'number' ? owner : undefined
  } catch {
    return undefined
  }
}

/** Makes the folder private: 0700 folders, 0600 files; returns how many entries were tightened. */
export async function makePrivate(dir: string): Promise<number> {
  let tightened = 0
  const visit = async (path: string): Promise<void> => {
    const info = await lstat(path)
    if (info.isSymbolicLink()) return
    const wanted = info.isDirectory() ? 0o700 : 0o600
    if ((info.mode & 0o777 & ~wanted) !== 0) {
      await chmod(path, (info.mode & 0o777 & wanted) | (info.isDirectory() ? 0o700 : 0o600))
      tightened++
    }
    if (info.isDirectory()) for (const entry of await readdir(path)) await visit(join(path, entry))
  }
  await visit(dir)
  return tightened
}

export type OwnedFolder = Readonly<{ release: () => Promise<void> }>

/**
 * Prepares the data folder for this process: private, and locked. Rejects with DataFolderBusy when a
 * live process holds it. `onWarning` hears about a folder that had to be tightened or a stale lock.
 */
export async function ownDataFolder(dir: string, purpose: string, onWarning: (message: string) => void = () => undefined): Promise<OwnedFolder> {
  process.umask(0o077)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const owned = await lockFolder(dir, purpose, onWarning)
  // only once the folder is ours: a live owner may be in the middle of writing a new cluster's files
  const tightened = await makePrivate(dir)
  if (tightened > 0) onWarning(`${dir} was readable by other users: made it private (${tightened} files and folders set to 0700/0600)`)
  return owned
}

async function lockFolder(dir: string, purpose: string, onWarning: (message: string) => void): Promise<OwnedFolder> {
  const lock = join(dir, LOCK_FILE)
  const me: LockOwner = { pid: process.pid, startedAt: new Date().toISOString(), purpose }
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(lock, 'wx', 0o600)
      await handle.writeFile(JSON.stringify(me))
      await handle.close()
      let released = false
      return {
        release: async () => {
          if (released) return
          released = true
          // only our own lock: a crash that let another take over must not remove theirs
          if ((await readOwner(lock))?.pid === process.pid) await rm(lock, { force: true })
        },
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    const owner = await readOwner(lock)
    if (owner && owner.pid !== process.pid && alive(owner.pid)) {
      throw new DataFolderBusy(owner, `${dir} is in use by data-api pid ${owner.pid} (${owner.purpose})`)
    }
    // stale: moved aside (atomically, so of two processes taking it over one wins) and tried again
    const aside = join(dir, `.lock-stale-${process.pid}`)
    await rename(lock, aside).catch(() => undefined)
    const moved = await readOwner(aside)
    await rm(aside, { force: true })
    if (moved && moved.pid !== owner?.pid) {
      // that was a live owner's fresh lock, not the stale one: put it back and give way
      const handle = await open(lock, 'wx', 0o600).catch(() => undefined)
      await handle?.writeFile(JSON.stringify(moved))
      await handle?.close()
      throw new DataFolderBusy(moved, `${dir} is in use by data-api pid ${moved.pid} (${moved.purpose})`)
    }
    if (owner) onWarning(`took over ${lock} from pid ${owner.pid}, which no longer runs`)
  }
  throw new Error(`could not lock ${lock}`)
}
