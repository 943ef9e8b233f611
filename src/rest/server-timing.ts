/**
 * The `Server-Timing` header (PostgREST's server-timing-enabled): how long each stage of a request
 * took, in milliseconds with one decimal. Only created when enabled, so requests without it keep no
 * stage marks.
 */
export type Stage = 'jwt' | 'parse' | 'plan' | 'transaction' | 'response'

export class ServerTiming {
  private last = performance.now()
  private readonly durations: [Stage, number][] = []

  /** Ends `stage`: the time since the previous mark (or since creation) is its duration. */
  mark(stage: Stage): void {
    const now = performance.now()
    this.durations.push([stage, now - this.last])
    this.last = now
  }

  header(): string {
    return this.durations.map(([stage, ms]) => `${stage};dur=${ms.toFixed(1)}`).join(', ')
  }
}
