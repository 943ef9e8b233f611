/**
 * A PostgreSQL cluster of the fault tests' own (the benchmark's cluster helper, durable settings, a
 * free port): the shared cluster other people's tests use is never restarted or killed.
 */
import pg from 'pg'
import { findPostgresBin, startCluster, type Cluster } from '../../bench/cluster.js'
import { freePort } from '../../bench/processes.js'

export type PrivatePostgres = Readonly<{
  cluster: Cluster
  /** a new empty database on the cluster; its URL */
  createDatabase: (name: string) => Promise<string>
  stop: () => void
}>

/** Why a private cluster cannot be started here, or undefined when it can. */
export function privatePostgresUnavailable(): string | undefined {
  try {
    findPostgresBin()
    return undefined
  } catch (err) {
    return (err as Error).message
  }
}

export async function startPrivatePostgres(log: (line: string) => void): Promise<PrivatePostgres> {
  const port = await freePort()
  const cluster = startCluster({ port, maxConnections: 50, glibcTunables: false, durable: true, log })
  const adminUrl = `postgres://postgres@127.0.0.1:${port}`
  return {
    cluster,
    createDatabase: async (name) => {
      const client = new pg.Client({ connectionString: `${adminUrl}/postgres` })
      await client.connect()
      try {
        await client.query(`create database "${name}"`)
      } finally {
        await client.end()
      }
      return `${adminUrl}/${name}`
    },
    stop: () => cluster.stop(),
  }
}
