/**
 * The benchmark's own PostgreSQL cluster (performance.md §7): initdb into a temporary folder owned
 * by the `postgres` OS user, started with fsync off, GLIBC_TUNABLES set and a free loopback port,
 * logging to a JSON log that the SQL capture reads. Stopped and deleted by stop().
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** glibc keeps freed memory instead of trimming it on every free: see performance.md §7. */
export const GLIBC_TUNABLES =
  'glibc.malloc.trim_threshold=268435456:glibc.malloc.top_pad=67108864:glibc.malloc.mmap_threshold=268435456'

export type ClusterOptions = Readonly<{
  port: number
  maxConnections: number
  /** set GLIBC_TUNABLES in the postmaster's environment (default true) */
  glibcTunables: boolean
  log: (line: string) => void
  /**
   * fsync, synchronous_commit and full_page_writes on, for the fault tests (a commit acknowledged
   * must survive a killed postmaster); the benchmark leaves them off (default false)
   */
  durable?: boolean
}>

export type Cluster = Readonly<{
  dir: string
  port: number
  binDir: string
  version: string
  /** the settings the cluster runs with, as SHOW reports them (filled in by the caller) */
  settings: Record<string, string>
  osUser: string
  env: Readonly<Record<string, string>>
  /** the postmaster's process id (first line of postmaster.pid) */
  postmasterPid: () => number
  /** the JSON log file written by the logging collector */
  jsonLogPath: () => string | undefined
  stop: () => void
  /** `pg_ctl restart -m <mode> -w`: returns once the cluster accepts connections again */
  restart: (mode: 'smart' | 'fast' | 'immediate') => Promise<void>
  /** SIGKILL to the postmaster alone, as a crash would; its backends notice and exit on their own */
  killPostmaster: () => void
  /** `pg_ctl start -w` after killPostmaster (retried while orphaned backends still hold shared memory) */
  start: (timeoutMs: number) => Promise<{ attempts: number }>
}>

/** The newest installed PostgreSQL's bin folder (/usr/lib/postgresql/<major>/bin). */
export function findPostgresBin(): string {
  const root = '/usr/lib/postgresql'
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((d) => /^\d+$/.test(d) && existsSync(join(root, d, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : []
  const major = majors[0]
  if (major === undefined) throw new Error(`no PostgreSQL binaries under ${root}/*/bin (apt-get install postgresql)`)
  return join(root, major, 'bin')
}

/** Runs a command as the cluster's OS user (PostgreSQL refuses to run as root). */
function asUser(user: string, command: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): string[] {
  const vars = Object.entries(env).map(([k, v]) => `${k}=${v}`)
  if (process.getuid?.() !== 0) return ['env', ...vars, command, ...args]
  return ['runuser', '-u', user, '--', 'env', ...vars, command, ...args]
}

function run(argv: readonly string[], what: string): string {
  const [cmd, ...args] = argv
  const result = spawnSync(cmd as string, args, { encoding: 'utf8' })
  if (result.status !== 0) {
    throw new Error(`${what} failed (exit ${String(result.status)}):\n${result.stdout ?? ''}${result.stderr ?? ''}`)
  }
  return result.stdout
}

/** run() without blocking the event loop: the fault tests' server and load go on meanwhile. */
function runAsync(argv: readonly string[], what: string): Promise<void> {
  const [cmd, ...args] = argv
  return new Promise((resolve, reject) => {
    execFile(cmd as string, args, { encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${what} failed (exit ${String(error.code)}):\n${stdout}${stderr}`))
      else resolve()
    })
  })
}

export function startCluster(options: ClusterOptions): Cluster {
  const binDir = findPostgresBin()
  const version = execFileSync(join(binDir, 'postgres'), ['--version'], { encoding: 'utf8' }).trim()
  const osUser = process.getuid?.() === 0 ? 'postgres' : (process.env.USER ?? 'postgres')
  const dir = mkdtempSync(join(tmpdir(), 'data-api-bench-'))
  const dataDir = join(dir, 'data')
  const logDir = join(dir, 'log')
  mkdirSync(logDir)
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', osUser], { encoding: 'utf8' }).trim())
    const gid = Number(execFileSync('id', ['-g', osUser], { encoding: 'utf8' }).trim())
    chownSync(dir, uid, gid)
    chownSync(logDir, uid, gid)
  }
  const env: Record<string, string> = options.glibcTunables ? { GLIBC_TUNABLES } : {}
  let started = false
  const pgCtlStart = () =>
    run(asUser(osUser, join(binDir, 'pg_ctl'), ['-D', dataDir, '-l', join(dir, 'startup.log'), '-w', '-t', '60', 'start'], env), 'pg_ctl start')
  const postmasterPid = () => Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])
  const stop = () => {
    if (started) {
      const [cmd, ...args] = asUser(osUser, join(binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop'])
      spawnSync(cmd as string, args, { stdio: 'ignore' })
      started = false
    }
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    run(asUser(osUser, join(binDir, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync']), 'initdb')
    // Appended to postgresql.conf, so ALTER SYSTEM (used by the capture) can still override it.
    const conf = [
      `port = ${options.port}`,
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = '${dir}'`,
      `max_connections = ${options.maxConnections}`,
      ...(options.durable ? ['fsync = on', 'synchronous_commit = on', 'full_page_writes = on'] : ['fsync = off', 'synchronous_commit = off', 'full_page_writes = off']),
      'shared_buffers = 256MB',
      "checkpoint_timeout = '30min'",
      "max_wal_size = '4GB'",
      'autovacuum = off',
      'logging_collector = on',
      "log_destination = 'jsonlog'",
      `log_directory = '${logDir}'`,
      "log_filename = 'postgresql.log'",
      'log_rotation_size = 0',
      'log_rotation_age = 0',
      "log_statement = 'none'",
      'log_parameter_max_length = -1',
    ]
    const confPath = join(dataDir, 'postgresql.conf')
    writeFileSync(confPath, `\n# data-api bench\n${conf.join('\n')}\n`, { flag: 'a' })
    pgCtlStart()
    started = true
  } catch (err) {
    stop()
    throw err
  }
  options.log(`PostgreSQL cluster started in ${dir} on 127.0.0.1:${options.port} as OS user ${osUser}`)
  return {
    dir,
    port: options.port,
    binDir,
    version,
    settings: {},
    osUser,
    env,
    postmasterPid,
    jsonLogPath: () => {
      if (!existsSync(logDir)) return undefined
      const file = readdirSync(logDir).find((f) => f.endsWith('.json'))
      return file === undefined ? undefined : join(logDir, file)
    },
    stop,
    restart: (mode) =>
      runAsync(asUser(osUser, join(binDir, 'pg_ctl'), ['-D', dataDir, '-l', join(dir, 'startup.log'), '-m', mode, '-w', '-t', '60', 'restart'], env), 'pg_ctl restart'),
    killPostmaster: () => process.kill(postmasterPid(), 'SIGKILL'),
    start: async (timeoutMs) => {
      const deadline = Date.now() + timeoutMs
      for (let attempts = 1; ; attempts++) {
        try {
          await runAsync(asUser(osUser, join(binDir, 'pg_ctl'), ['-D', dataDir, '-l', join(dir, 'startup.log'), '-w', '-t', '60', 'start'], env), 'pg_ctl start')
          return { attempts }
        } catch (err) {
          // "pre-existing shared memory block is still in use" until the orphaned backends are gone
          if (Date.now() > deadline) throw err
          await new Promise((r) => setTimeout(r, 100))
        }
      }
    },
  }
}
