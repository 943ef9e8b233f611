/**
 * The embedded databases: one PGlite cluster per database, each in its own folder
 * `{dataDir}/databases/{name}/`, or kept in memory when dataDir is `memory://` (tests, demos).
 *
 * A data folder from before there were several databases holds the cluster at its top level; it is
 * moved, entry by entry, into `databases/{default}/` on first start (restartable if interrupted).
 */
import { existsSync } from 'node:fs'
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Database } from '../db/database.js'
import { createPgliteDatabase } from '../db/pglite-database.js'
import { LOCK_FILE, makePrivate, ownDataFolder } from './data-folder.js'
import { StoreError, type DatabaseStore } from './database-store.js'

export const IN_MEMORY = 'memory://'

/** Files of our own at the top of the data folder, never part of a database. */
const OWN_FILES = new Set(['databases', 'admin-key', 'jwt-secret', 'server.json', LOCK_FILE, 'console-secret'])

export function isInMemory(dataDir: string): boolean {
  return dataDir.startsWith(IN_MEMORY)
}

export type PgliteStoreOptions = Readonly<{
  dataDir: string
  defaultName: string
  /** what holds the folder, for the message another process gets: `serving http://...`, `data-api sql` */
  purpose?: string
  /** told when an old single-database folder is moved into databases/, a loose folder made private, a stale lock taken over */
  onWarning?: (message: string) => void
}>

export async function createPgliteStore(options: PgliteStoreOptions): Promise<DatabaseStore> {
  return isInMemory(options.dataDir) ? memoryStore(options.defaultName) : diskStore(options)
}

function memoryStore(defaultName: string): DatabaseStore {
  // the store owns in-memory clusters: closing a handle would throw the data away, so handles share
  // one instance whose close() does nothing; drop() really closes it
  const clusters = new Map<string, Database>()
  const sharedHandle = (db: Database, servedAs: string | undefined): Database => ({ ...db, name: servedAs ?? db.name, close: async () => {} })
  const ensure = async (name: string, dump?: Blob): Promise<Database> => {
    let db = clusters.get(name)
    if (!db) {
      db = await createPgliteDatabase({ name, loadDataDir: dump })
      clusters.set(name, db)
    }
    return db
  }
  return {
    kind: 'pglite',
    defaultName,
    list: async () => [defaultName, ...[...clusters.keys()].filter((n) => n !== defaultName).sort()],
    exists: async (name) => name === defaultName || clusters.has(name),
    open: async (name, open = {}) => {
      if (name !== defaultName && !clusters.has(name)) throw new StoreError('missing', `database "${name}" does not exist`)
      return sharedHandle(await ensure(name), open.servedAs)
    },
    connectionUrl: () => undefined,
    create: async (name, create = {}) => {
      if (name === defaultName || clusters.has(name)) throw new StoreError('exists', `database "${name}" already exists`)
      await ensure(name, create.dump)
    },
    drop: async (name) => {
      const db = clusters.get(name)
      clusters.delete(name)
      await db?.close()
    },
    close: async () => {
      for (const db of clusters.values()) await db.close().catch(() => undefined)
      clusters.clear()
    },
  }
}

async function diskStore(options: PgliteStoreOptions): Promise<DatabaseStore> {
  const owned = await ownDataFolder(options.dataDir, options.purpose ?? `data-api ${process.argv.slice(2, 3).join(' ') || 'serve'}`, options.onWarning)
  const root = join(options.dataDir, 'databases')
  try {
    await mkdir(root, { recursive: true })
    await migrateSingleDatabaseFolder(options)
  } catch (err) {
    await owned.release()
    throw err
  }
  const folder = (name: string) => join(root, name)
  // a folder being copied or removed is not a database yet (or any more)
  const isDatabase = (name: string) => !name.startsWith('.') && existsSync(join(folder(name), 'PG_VERSION'))
  return {
    kind: 'pglite',
    defaultName: options.defaultName,
    list: async () => {
      const names = (await readdir(root)).filter(isDatabase).sort()
      return [options.defaultName, ...names.filter((n) => n !== options.defaultName)]
    },
    exists: async (name) => name === options.defaultName || isDatabase(name),
    describeOpen: (name) =>
      existsSync(join(folder(name), 'PG_VERSION'))
        ? `Opening the embedded database "${name}"`
        : `Creating the embedded database "${name}" in ${options.dataDir} (first start only)`,
    open: async (name, open = {}) => {
      if (name !== options.defaultName && !isDatabase(name)) throw new StoreError('missing', `database "${name}" does not exist`)
      await mkdir(folder(name), { recursive: true })
      const db = await createPgliteDatabase({ dataDir: folder(name), name: open.servedAs ?? name })
      // a new cluster's files come out of PGlite's bundled image 0666; the ones PostgreSQL makes follow the umask
      await makePrivate(folder(name))
      return db
    },
    connectionUrl: () => undefined,
    create: async (name, create = {}) => {
      if (name === options.defaultName || existsSync(folder(name))) throw new StoreError('exists', `database "${name}" already exists`)
      // made under a hidden name and renamed when whole, so a failed copy leaves no database behind
      const building = join(root, `.creating-${name}-${process.pid}`)
      await rm(building, { recursive: true, force: true })
      try {
        const db = await createPgliteDatabase({ dataDir: building, name, loadDataDir: create.dump })
        await db.close()
        await makePrivate(building)
        if (existsSync(folder(name))) throw new StoreError('exists', `database "${name}" already exists`)
        await rename(building, folder(name))
      } finally {
        await rm(building, { recursive: true, force: true })
      }
    },
    drop: async (name) => {
      if (!existsSync(folder(name))) return
      // renamed first so that a crash half-way through leaves a hidden folder, not half a database
      const removing = join(root, `.dropping-${name}-${process.pid}`)
      await rename(folder(name), removing)
      await rm(removing, { recursive: true, force: true })
    },
    close: () => owned.release(),
  }
}

/** Moves a cluster kept at the top of the data folder (before databases/ existed) into databases/{default}. */
async function migrateSingleDatabaseFolder(options: PgliteStoreOptions): Promise<void> {
  const top = options.dataDir
  const target = join(top, 'databases', options.defaultName)
  const moving = join(top, 'databases', `.moving-${options.defaultName}`)
  const entries = (await readdir(top)).filter((e) => !OWN_FILES.has(e) && !e.startsWith('.lock-'))
  const legacy = entries.includes('PG_VERSION') || existsSync(moving)
  if (!legacy) return
  if (existsSync(join(target, 'PG_VERSION'))) {
    throw new StoreError(
      'invalid',
      `${top} holds a database at its top level and another in ${target}; move one of them away before starting`,
    )
  }
  options.onWarning?.(`Moving the embedded database from ${top} into ${target} (one-time layout change)`)
  await mkdir(moving, { recursive: true })
  for (const entry of entries) await rename(join(top, entry), join(moving, entry))
  if ((await stat(target).catch(() => undefined))?.isDirectory()) await rm(target, { recursive: true, force: true })
  await rename(moving, target)
}
