/**
 * Every database one server process serves, opened on first use and closed when idle. A database
 * is served once it has been enabled (data-api's objects exist in it: `data_api.settings`); the
 * default database is bootstrapped and served at start. Requests and management operations share
 * one handle per database (for the embedded database there can only be one), and the number of open
 * databases is capped: the least recently used idle one closes to make room.
 */
import type { Logger } from 'pino'
import type { AuthRuntimeOptions } from '../auth/auth-runtime.js'
import type { EmailSender } from '../auth-service/email.js'
import type { AppConfig } from '../config/app-config.js'
import { bootstrapDatabase } from '../db/bootstrap.js'
import type { Database } from '../db/database.js'
import type { SchemaCacheStats } from '../server/collect-metrics.js'
import { BranchRegistry, MAIN, mayBeCopy, parseServedName, servedName } from './branch-registry.js'
import { StoreError, type DatabaseStore } from './database-store.js'
import { openServedDatabase, type ServedDatabase } from './served-database.js'

export type DatabaseHostOptions = Readonly<{
  store: DatabaseStore
  base: AppConfig
  logger: Logger
  serverUrl: () => string
  localJwtSecret: string | undefined
  jwks?: AuthRuntimeOptions['jwks']
  emailSender?: EmailSender
  onInternalError: (err: unknown) => void
  schemaCacheStats: SchemaCacheStats
  /**
   * Tells sibling processes (`serve --workers N`) that a database changed (they reload its settings)
   * or must be closed (they drop their connections), and waits until they did.
   */
  broadcast?: (event: HostEvent, name: string) => Promise<void>
  /** runs a piece of slow work (opening, creating, bootstrapping a database) under a label a person may see */
  step?: Step
}>

/** Runs `work`, which a person may be waiting on, under a label (the CLI shows the label when it is slow). */
export type Step = <T>(label: string, work: () => Promise<T>) => Promise<T>

const unlabelled: Step = (_label, work) => work()

export type HostEvent = 'changed' | 'close'

type Handle = { db: Promise<Database>; refs: number; lastUsed: number }
type Served = { served: Promise<ServedDatabase>; inFlight: number }

/** How long "this database is not enabled" is believed before looking again. */
const NOT_SERVED_TTL_MS = 5000
/** The branch registry is read again for an unknown branch at most this often. */
const BRANCHES_RELOAD_MS = 1000

export class TooManyDatabases extends Error {
  override readonly name = 'TooManyDatabases'
}

export class DatabaseHost {
  private readonly handles = new Map<string, Handle>()
  private readonly served = new Map<string, Served>()
  private readonly notServed = new Map<string, number>()
  /** databases closed for a copy: opening one waits until the copy is done */
  private readonly paused = new Map<string, Promise<void>>()
  private readonly sweeper: NodeJS.Timeout | undefined
  private closed = false
  /** served name of a branch's database → the store's database holding it */
  private branchDatabases: ReadonlyMap<string, string> = new Map()
  /** the store's databases that are branches' copies */
  private branchCopies: ReadonlySet<string> = new Set()
  private branchesLoaded: Promise<void> | undefined
  private branchesLoadedAt = 0
  /** the branches, kept in the default database */
  readonly branches: BranchRegistry

  constructor(private readonly options: DatabaseHostOptions) {
    this.branches = new BranchRegistry((use) => this.withDatabase(this.defaultName, use))
    const idleMs = options.base.databaseIdleSeconds * 1000
    if (idleMs > 0) {
      this.sweeper = setInterval(() => void this.closeIdle(idleMs), Math.min(idleMs, 30_000))
      this.sweeper.unref()
    }
  }

  get store(): DatabaseStore {
    return this.options.store
  }

  get defaultName(): string {
    return this.options.store.defaultName
  }

  /** Databases open right now. */
  openNames(): string[] {
    return [...this.handles.keys()]
  }

  /** Runs `use` on the database's shared handle (opened if needed). */
  async withDatabase<T>(name: string, use: (db: Database) => Promise<T>): Promise<T> {
    const handle = await this.acquire(name)
    try {
      return await use(await handle.db)
    } finally {
      this.release(name, handle)
    }
  }

  /**
   * The served database of that name; undefined when there is no such database or the Data API
   * was never enabled on it. The default database is bootstrapped (our roles, functions and
   * schema) the first time.
   */
  async open(name: string): Promise<ServedDatabase | undefined> {
    if (!parseServedName(name)) return undefined
    const entry = this.served.get(name)
    if (entry) return entry.served
    const until = this.notServed.get(name)
    if (until !== undefined && until > Date.now()) return undefined
    if (this.closed) throw new Error('the server is stopping')
    const handle = await this.acquire(name).catch((err: unknown) => {
      if (err instanceof StoreError && err.kind === 'missing') return undefined
      throw err
    })
    if (!handle) {
      this.notServed.set(name, Date.now() + NOT_SERVED_TTL_MS)
      return undefined
    }
    // a concurrent open may have won meanwhile
    const raced = this.served.get(name)
    if (raced) {
      this.release(name, handle)
      return raced.served
    }
    const served = this.startServing(name, handle)
    const record: Served = { served, inFlight: 0 }
    this.served.set(name, record)
    try {
      return await served
    } catch (err) {
      if (this.served.get(name) === record) this.served.delete(name)
      this.release(name, handle)
      if (err instanceof NotEnabled) {
        this.notServed.set(name, Date.now() + NOT_SERVED_TTL_MS)
        return undefined
      }
      throw err
    }
  }

  /** Counts a request in flight on a served database (it is not closed meanwhile). */
  track(name: string): () => void {
    const entry = this.served.get(name)
    const handle = this.handles.get(name)
    if (!entry) return () => {}
    entry.inFlight++
    if (handle) handle.lastUsed = Date.now()
    return () => {
      entry.inFlight--
    }
  }

  /**
   * The database's Data API was enabled, disabled or its settings changed (by this process): the
   * served database reloads its settings now, and so do the sibling workers before this resolves; a
   * database not served yet is looked at again on its next request. Other servers learn it from the
   * database's own notification.
   */
  async changed(name: string): Promise<void> {
    await this.reload(name)
    await this.options.broadcast?.('changed', name)
  }

  /** What changed() does in this process alone (a sibling worker asked). */
  async reload(name: string): Promise<void> {
    this.notServed.delete(name)
    const entry = this.served.get(name)
    if (entry) await (await entry.served).reloadConfig()
  }

  /**
   * Runs `work` while no connection of this server (nor of its sibling workers) is open to the
   * database: PostgreSQL copies a database only when nobody is connected to it. Requests for it wait
   * meanwhile.
   */
  async exclusive<T>(name: string, work: () => Promise<T>): Promise<T> {
    for (let earlier = this.paused.get(name); earlier; earlier = this.paused.get(name)) await earlier
    let release: () => void = () => undefined
    this.paused.set(name, new Promise<void>((resolve) => (release = resolve)))
    try {
      await this.drain(name)
      await this.closeDatabase(name)
      await this.options.broadcast?.('close', name)
      return await work()
    } finally {
      this.paused.delete(name)
      release()
    }
  }

  /** Waits (a bounded time) for the requests and operations using a database to finish. */
  private async drain(name: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const handle = this.handles.get(name)
      const served = this.served.get(name)
      const busy = (handle?.refs ?? 0) > (served ? 1 : 0) || (served?.inFlight ?? 0) > 0
      if (!busy || Date.now() > deadline) return
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  /** Stops serving a database and closes its handle (before it is dropped or copied). */
  async closeDatabase(name: string): Promise<void> {
    this.notServed.delete(name)
    const entry = this.served.get(name)
    this.served.delete(name)
    if (entry) await (await entry.served.catch(() => undefined))?.close()
    const handle = this.handles.get(name)
    this.handles.delete(name)
    if (handle) await (await handle.db.catch(() => undefined))?.close()
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.sweeper) clearInterval(this.sweeper)
    for (const name of [...this.handles.keys()].reverse()) await this.closeDatabase(name).catch(() => undefined)
    await this.options.store.close()
  }

  private async startServing(name: string, handle: Handle): Promise<ServedDatabase> {
    const db = await handle.db
    if (name === this.defaultName) await this.step(`Bootstrapping "${name}": data-api's roles, functions and schema`, () => this.bootstrapOrReuse(db))
    else if (!(await isEnabledSomeTime(db))) throw new NotEnabled()
    const base = this.options.base
    const connectionUrl = this.options.store.connectionUrl((await this.physical(name)) ?? name)
    return this.step(`Loading the schema and the auth service of "${name}"`, () =>
      openServedDatabase({
        name,
        db,
        // DATA_API_AUTH_URL names the default database's auth service; the others are at their own paths
        base: name === this.defaultName ? base : { ...base, authService: { ...base.authService, url: undefined } },
        logger: this.options.logger,
        serverUrl: this.options.serverUrl,
        connectionUrl,
        localJwtSecret: this.options.localJwtSecret,
        jwks: this.options.jwks,
        emailSender: this.options.emailSender,
        onInternalError: this.options.onInternalError,
        schemaCacheStats: this.options.schemaCacheStats,
        // the branch registry lives in the default database
        onNotify:
          name === this.defaultName
            ? (payload) => {
                if (payload === 'reload branches') void this.reloadBranches().catch(() => undefined)
              }
            : undefined,
      }),
    )
  }

  private get step(): Step {
    return this.options.step ?? unlabelled
  }

  /**
   * Bootstraps the default database; a connecting role that may not (e.g. `authenticator` itself,
   * after `data-api enable` was run by an owner) uses the objects already there.
   */
  private async bootstrapOrReuse(db: Database): Promise<void> {
    const logger = this.options.logger
    try {
      const { warnings } = await bootstrapDatabase(db)
      for (const warning of warnings) logger.warn(warning)
    } catch (err) {
      if ((err as { code?: string }).code !== '42501') throw err
      if (!(await isEnabledSomeTime(db))) throw err
      logger.info('The connecting role may not create data-api objects; using the ones `data-api enable` created')
    }
  }

  /**
   * The store's database behind a served name: the name itself on main, the registry's copy for a
   * branch's database; undefined when there is none. A copy is in the same store under its own
   * name, but it is the branch's: under that name on main it is not served (its settings, users and
   * URL are the branch's), as list_databases does not show it there.
   */
  async physical(name: string): Promise<string | undefined> {
    const ref = parseServedName(name)
    if (!ref) return undefined
    if (ref.branch === MAIN) {
      if (!mayBeCopy(ref.database)) return ref.database
      if (Date.now() - this.branchesLoadedAt > BRANCHES_RELOAD_MS) await this.reloadBranches()
      return this.branchCopies.has(ref.database) ? undefined : ref.database
    }
    let physical = this.branchDatabases.get(name)
    if (physical === undefined && Date.now() - this.branchesLoadedAt > BRANCHES_RELOAD_MS) {
      await this.reloadBranches()
      physical = this.branchDatabases.get(name)
    }
    return physical
  }

  /** Reads the branch registry again (a branch was created or deleted, here or elsewhere). */
  reloadBranches(): Promise<void> {
    this.branchesLoaded ??= (async () => {
      try {
        const branches = await this.branches.list()
        const map = new Map<string, string>()
        const copies = new Set<string>()
        for (const b of branches) {
          // a copy being made or deleted is still not main's
          for (const physical of Object.values(b.databases)) copies.add(physical)
          if (b.state !== 'ready') continue
          for (const [database, physical] of Object.entries(b.databases)) map.set(servedName({ branch: b.name, database }), physical)
        }
        this.branchDatabases = map
        this.branchCopies = copies
        this.branchesLoadedAt = Date.now()
      } finally {
        this.branchesLoaded = undefined
      }
    })()
    return this.branchesLoaded
  }

  private async acquire(name: string): Promise<Handle> {
    for (let pause = this.paused.get(name); pause; pause = this.paused.get(name)) await pause
    let handle = this.handles.get(name)
    if (!handle) {
      await this.makeRoom()
      const open = async (): Promise<Database> => {
        const physical = await this.physical(name)
        if (physical === undefined) throw new StoreError('missing', `database "${name}" does not exist`)
        const store = this.options.store
        const label = store.describeOpen?.(physical) ?? `Opening database "${name}"`
        return this.step(label, () => store.open(physical, physical === name ? {} : { servedAs: name }))
      }
      const created: Handle = { db: open(), refs: 0, lastUsed: Date.now() }
      handle = created
      this.handles.set(name, created)
      created.db.catch(() => {
        if (this.handles.get(name) === created) this.handles.delete(name)
      })
    }
    handle.refs++
    handle.lastUsed = Date.now()
    try {
      await handle.db
    } catch (err) {
      handle.refs--
      throw err
    }
    return handle
  }

  private release(_name: string, handle: Handle): void {
    handle.refs--
    handle.lastUsed = Date.now()
  }

  /** Closes the least recently used idle database when the cap is reached. */
  private async makeRoom(): Promise<void> {
    if (this.handles.size < this.options.base.maxOpenDatabases) return
    const idle = [...this.handles.entries()]
      .filter(([name, h]) => name !== this.defaultName && h.refs <= (this.served.has(name) ? 1 : 0) && (this.served.get(name)?.inFlight ?? 0) === 0)
      .sort((a, b) => a[1].lastUsed - b[1].lastUsed)
    const victim = idle[0]
    if (!victim) {
      throw new TooManyDatabases(
        `${this.handles.size} databases are open and busy (DATA_API_MAX_OPEN_DATABASES=${this.options.base.maxOpenDatabases}); try again shortly`,
      )
    }
    this.options.logger.info({ database: victim[0] }, 'Closing an idle database to make room for another')
    await this.closeDatabase(victim[0])
  }

  private async closeIdle(idleMs: number): Promise<void> {
    const now = Date.now()
    for (const [name, handle] of [...this.handles.entries()]) {
      if (name === this.defaultName || now - handle.lastUsed < idleMs) continue
      const servedRefs = this.served.has(name) ? 1 : 0
      if (handle.refs > servedRefs || (this.served.get(name)?.inFlight ?? 0) > 0) continue
      this.options.logger.debug({ database: name }, 'Closing an idle database')
      await this.closeDatabase(name).catch(() => undefined)
    }
  }
}

class NotEnabled extends Error {}

/** data-api's objects exist in the database: it was enabled, now or earlier (then it answers "disabled"). */
async function isEnabledSomeTime(db: Database): Promise<boolean> {
  // a catalog lookup: the connecting role may lack USAGE on schema data_api
  const [row] = await db.query<{ present: boolean }>(
    `select exists (select from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'data_api' and c.relname = 'settings') as present`,
  )
  return row?.present === true
}
