/**
 * Branches: which exist, their parents, and which database of the store holds each branch's copy of
 * a database. Kept in the default database (`data_api.branches`, `data_api.branch_databases`), so
 * every server of the project agrees. The branch `main` is implicit: its databases are the store's
 * own, under their own names.
 *
 * A branch's database is served at `/branches/{branch}/{database}/...`; `servedName` is that path
 * without its leading slash, which is also the name its Database handle carries.
 */
import { createHash } from 'node:crypto'
import type { Database } from '../db/database.js'

export const MAIN = 'main'

export type BranchState = 'creating' | 'ready' | 'deleting'

export type BranchRecord = Readonly<{
  name: string
  parent: string
  state: BranchState
  created_at: string
  updated_at: string
  /** database name → the store's database holding this branch's copy */
  databases: Readonly<Record<string, string>>
}>

/** A database of a branch. */
export type DatabaseRef = Readonly<{ branch: string; database: string }>

/** The name a branch's database is served under (and its path without the slash). */
export function servedName(ref: DatabaseRef): string {
  return ref.branch === MAIN ? ref.database : `branches/${ref.branch}/${ref.database}`
}

const COPY_PREFIX = 'br_'

/** The store's name for a branch's copy of a database: `br_{branch}_{database}`, kept within PostgreSQL's 63 bytes. */
export function physicalName(branch: string, database: string): string {
  const name = `${COPY_PREFIX}${branch}_${database}`
  if (Buffer.byteLength(name) <= 63) return name
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 10)
  return `${COPY_PREFIX}${hash}_${database}`.slice(0, 63)
}

/** Whether a store name could be a branch's copy (the registry says whether it is one). */
export function mayBeCopy(name: string): boolean {
  return name.startsWith(COPY_PREFIX)
}

/** The URL path of a served name: `/neondb`, `/branches/dev/neondb`, each part percent-encoded. */
export function databasePath(name: string): string {
  return `/${name.split('/').map(encodeURIComponent).join('/')}`
}

/** A served name back to its branch and database; undefined for anything else. */
export function parseServedName(name: string): DatabaseRef | undefined {
  const parts = name.split('/')
  if (parts.length === 1 && parts[0] !== '') return { branch: MAIN, database: parts[0]! }
  if (parts.length === 3 && parts[0] === 'branches' && parts[1] !== '' && parts[2] !== '') return { branch: parts[1]!, database: parts[2]! }
  return undefined
}

// one creator at a time (two first branches at once would race on CREATE TABLE IF NOT EXISTS)
const SCHEMA = `
BEGIN;
SELECT pg_advisory_xact_lock(1684108385, 1651663459);
CREATE SCHEMA IF NOT EXISTS data_api;
CREATE TABLE IF NOT EXISTS data_api.branches (
  name text PRIMARY KEY,
  parent text NOT NULL,
  state text NOT NULL DEFAULT 'creating' CHECK (state IN ('creating', 'ready', 'deleting')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS data_api.branch_databases (
  branch text NOT NULL REFERENCES data_api.branches (name) ON DELETE CASCADE,
  database text NOT NULL,
  physical text NOT NULL UNIQUE,
  PRIMARY KEY (branch, database)
);
DO $grant$
BEGIN
  -- servers that connect as authenticator route requests with these
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'authenticator') THEN
    GRANT USAGE ON SCHEMA data_api TO authenticator;
    GRANT SELECT ON data_api.branches, data_api.branch_databases TO authenticator;
  END IF;
END
$grant$;
COMMIT;`

const LIST = `
select b.name, b.parent, b.state, b.created_at::text, b.updated_at::text,
  coalesce((select json_object_agg(d.database, d.physical) from data_api.branch_databases d where d.branch = b.name), '{}') as databases
from data_api.branches b order by b.created_at, b.name`

/** Reads and writes the registry; every write tells the other servers (NOTIFY data_api, 'reload branches'). */
export class BranchRegistry {
  /** `withDefault` runs `use` on the default database, counted as a user of it (a copy of it waits for `use`) */
  constructor(private readonly withDefault: <T>(use: (db: Database) => Promise<T>) => Promise<T>) {}

  async list(): Promise<BranchRecord[]> {
    return this.withDefault(async (db) => {
      try {
        return await db.query<BranchRecord>(LIST)
      } catch (err) {
        // no branch was ever created
        if ((err as { code?: string }).code === '42P01') return []
        throw err
      }
    })
  }

  async get(name: string): Promise<BranchRecord | undefined> {
    return (await this.list()).find((b) => b.name === name)
  }

  /** Records a branch being created; false when the name is taken (also by one being created). */
  async begin(name: string, parent: string): Promise<boolean> {
    return this.withDefault(async (db) => {
      await db.exec(SCHEMA)
      const rows = await db.query(`insert into data_api.branches (name, parent) values ($1, $2) on conflict (name) do nothing returning name`, [name, parent])
      return rows.length === 1
    })
  }

  async addDatabase(branch: string, database: string, physical: string): Promise<void> {
    await this.withDefault(async (db) => {
      await db.query(`insert into data_api.branch_databases (branch, database, physical) values ($1, $2, $3)`, [branch, database, physical])
      await this.announce(db)
    })
  }

  /** Marks a ready branch as being deleted; false when it is not ready (being created or deleted already). */
  async claimForDelete(name: string): Promise<boolean> {
    return this.withDefault(async (db) => {
      const rows = await db.query(`update data_api.branches set state = 'deleting', updated_at = now() where name = $1 and state = 'ready' returning name`, [name])
      await this.announce(db)
      return rows.length === 1
    })
  }

  async removeDatabase(branch: string, database: string): Promise<void> {
    await this.write(`delete from data_api.branch_databases where branch = $1 and database = $2`, [branch, database])
  }

  async setState(name: string, state: BranchState): Promise<void> {
    await this.write(`update data_api.branches set state = $2, updated_at = now() where name = $1`, [name, state])
  }

  async remove(name: string): Promise<void> {
    await this.write(`delete from data_api.branches where name = $1`, [name])
  }

  private async write(text: string, values: readonly unknown[]): Promise<void> {
    await this.withDefault(async (db) => {
      await db.query(text, values)
      await this.announce(db)
    })
  }

  private async announce(db: Database): Promise<void> {
    await db.query(`select pg_notify('data_api', 'reload branches')`)
  }
}
