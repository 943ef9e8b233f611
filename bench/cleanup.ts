/**
 * Everything the bench starts is registered here and undone in reverse order, once: at the end, on
 * errors, and on Ctrl-C or SIGTERM (after which nothing new is started: see checkInterrupted).
 */
import { killTransient } from './processes.js'

const undos: (() => Promise<void> | void)[] = []
let cleaning: Promise<void> | undefined
let interrupted = false

export function onCleanup(undo: () => Promise<void> | void): void {
  undos.push(undo)
}

export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    killTransient()
    for (const undo of undos.reverse()) {
      try {
        await undo()
      } catch (err) {
        console.error(`cleanup: ${err instanceof Error ? err.message : String(err)}`)
      }
    }
  })()
  return cleaning
}

export function wasInterrupted(): boolean {
  return interrupted
}

/** Called before each step that starts something: an interrupted run starts nothing more. */
export function checkInterrupted(): void {
  if (interrupted) throw new Error('interrupted')
}

export function stopOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true
      console.error(`\n${signal}: stopping and deleting the bench cluster…`)
      void cleanup().finally(() => process.exit(130))
    })
  }
}
