/**
 * Child processes of the benchmark (the data-api server, the hand-written peer): start, wait until
 * they answer, read their CPU time from /proc, stop them. Also free loopback ports.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { createWriteStream, readFileSync, readdirSync } from 'node:fs'
import { createServer } from 'node:net'

export type Child = Readonly<{
  name: string
  process: ChildProcess
  pid: number
  logPath: string
  /** resolves once the process has exited */
  exited: Promise<number | null>
  stop: () => Promise<void>
}>

/** Short-lived children (wrk, autocannon, pgbench) still running, so an interrupted run can end them. */
const transient = new Set<ChildProcess>()

export function trackTransient(child: ChildProcess): void {
  transient.add(child)
  child.once('exit', () => transient.delete(child))
}

export function killTransient(): void {
  for (const child of transient) child.kill('SIGKILL')
  transient.clear()
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** A Node child process; `env` adds to the bench's environment, and a variable set to undefined is removed from it. */
export function startChild(name: string, args: readonly string[], env: Readonly<Record<string, string | undefined>>, logPath: string, cwd: string): Child {
  const log = createWriteStream(logPath)
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env }
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete childEnv[key]
  const child = spawn(process.execPath, args, { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout?.pipe(log)
  child.stderr?.pipe(log)
  if (child.pid === undefined) throw new Error(`could not start ${name}`)
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return {
    name,
    process: child,
    pid: child.pid,
    logPath,
    exited,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5000).unref())
      if ((await Promise.race([exited, timeout])) === 'timeout') {
        child.kill('SIGKILL')
        await exited
      }
    },
  }
}

/** Polls `url` until it answers 200, the child exits, or `timeoutMs` passes. */
export async function waitUntilReady(child: Child, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let exited = false
  void child.exited.then(() => (exited = true))
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${child.name} exited during start-up; see ${child.logPath}:\n${tail(child.logPath)}`)
    try {
      const res = await fetch(url)
      if (res.status === 200) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`${child.name} was not ready after ${timeoutMs} ms; see ${child.logPath}:\n${tail(child.logPath)}`)
}

export function tail(path: string, lines = 20): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n')
  } catch {
    return ''
  }
}

let ticksPerSecond: number | undefined

function ticks(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  return ticksPerSecond
}

/** The fields of /proc/<pid>/stat after the command name (which is in parentheses and may hold spaces). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  } catch {
    return undefined // gone meanwhile
  }
}

// Counted after the name: state is the 1st, ppid the 2nd, utime/stime the 12th/13th, and
// cutime/cstime (children already waited for) the 14th/15th (fields 14–17 of the whole line).

/**
 * User and system CPU seconds of a process and its children: the live ones and those it has
 * already reaped (a PostgreSQL cluster's backends, `data-api serve --workers N`'s workers).
 */
export function treeCpuSeconds(rootPid: number): { user: number; system: number } {
  let user = 0
  let system = 0
  // children first, then the root's reaped total: a child reaped in between is counted twice
  // (rare, small) rather than lost
  for (const pid of childPids(rootPid)) {
    const fields = statFields(pid)
    if (!fields) continue
    user += Number(fields[11])
    system += Number(fields[12])
  }
  const root = statFields(rootPid)
  if (!root) return { user: Number.NaN, system: Number.NaN }
  user += Number(root[11]) + Number(root[13])
  system += Number(root[12]) + Number(root[14])
  return { user: user / ticks(), system: system / ticks() }
}

/** CPU seconds of a whole PostgreSQL cluster: the postmaster, its live children and the reaped ones. */
export function clusterCpuSeconds(postmasterPid: number): number {
  const { user, system } = treeCpuSeconds(postmasterPid)
  return user + system
}

function childPids(parentPid: number): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const fields = statFields(Number(entry))
    if (fields && Number(fields[1]) === parentPid) pids.push(Number(entry))
  }
  return pids
}

/** Resident memory of a process and its live children, in bytes (0 for one that is gone). */
export function treeRssBytes(rootPid: number): number {
  return [rootPid, ...childPids(rootPid)].reduce((total, pid) => total + rssBytes(pid), 0)
}

function rssBytes(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) * 1024 : 0
  } catch {
    return 0
  }
}

/** The whole machine's busy and total CPU time from /proc/stat, in ticks. */
export function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? ''
  const values = line.trim().split(/\s+/).slice(1).map(Number)
  const total = values.reduce((a, b) => a + b, 0)
  const idle = (values[3] ?? 0) + (values[4] ?? 0)
  return { busy: total - idle, total }
}

/** Runs a command to completion (killed after timeoutMs), collecting its output. */
export function collect(command: string, args: readonly string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    trackTransient(child)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}
