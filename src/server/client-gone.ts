/**
 * The abort signal of one REST request: aborted when its client goes away before the answer, so a
 * waiting batch is dropped and a running statement cancelled. A plain object rather than an
 * AbortController, whose construction (an EventTarget and its signal) cost more per request than
 * routing it (bench --cpu-prof).
 */
import type { AbortLike } from '../db/database.js'

export class ClientGone implements AbortLike {
  aborted = false
  private listeners: (() => void)[] = []

  addEventListener(_type: 'abort', listener: () => void, _options?: { once?: boolean }): void {
    if (!this.aborted) this.listeners.push(listener)
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const i = this.listeners.indexOf(listener)
    if (i !== -1) this.listeners.splice(i, 1)
  }

  /** Calls each listener once; later calls do nothing, as with an AbortController. */
  abort(): void {
    if (this.aborted) return
    this.aborted = true
    const listeners = this.listeners
    this.listeners = []
    for (const listener of listeners) listener()
  }
}
