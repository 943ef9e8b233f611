/**
 * Progress for work a person waits on: a step that is over within a second prints nothing; a longer
 * one prints its label when the second has passed and, when it ends, how long it took. Steps nest
 * (a command's operation opens the database, which bootstraps it), indented under the step that
 * printed before them. Lines go to standard error, so standard output stays the command's answer, and
 * only when it is a terminal: a script or a log reading it gets the answer or the one-line error alone.
 */
import type { Step } from '../serving/database-host.js'

export type Progress = Readonly<{
  step: Step
  /** after this, steps run without a word (a started server's later work belongs to its log) */
  stop: () => void
}>

export type ProgressOptions = Readonly<{
  write?: (line: string) => void
  /** how long a step runs before it is shown */
  afterMs?: number
  now?: () => number
}>

export function createProgress(options: ProgressOptions = {}): Progress {
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`))
  const visible = options.write !== undefined || process.stderr.isTTY === true
  const afterMs = options.afterMs ?? 1000
  const now = options.now ?? (() => performance.now())
  let depth = 0
  let stopped = !visible
  const step: Step = async (label, work) => {
    if (stopped) return work()
    const indent = '  '.repeat(depth)
    const started = now()
    let shown = false
    const timer = setTimeout(() => {
      shown = true
      write(`${indent}${label}…`)
    }, afterMs)
    timer.unref()
    depth++
    try {
      const result = await work()
      if (shown) write(`${indent}${label}: done in ${seconds(now() - started)}`)
      return result
    } catch (err) {
      if (shown) write(`${indent}${label}: failed after ${seconds(now() - started)}`)
      throw err
    } finally {
      clearTimeout(timer)
      depth--
    }
  }
  return {
    step,
    stop: () => {
      stopped = true
    },
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}
