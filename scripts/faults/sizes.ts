/** How big each fault scenario is: `npm run faults` runs the full sizes, CI's test/faults.test.ts the small ones. */
import type { PostgresFaultOptions } from './postgres-faults.js'

export type FaultSizes = Readonly<{
  postgres: PostgresFaultOptions
  slow: Readonly<{ perKind: number; requestTimeoutSeconds: number }>
  abandoned: Readonly<{ poolSize: number; abandoned: number; sleepSeconds: number }>
}>

export const FULL: FaultSizes = {
  postgres: { clients: 16, batchSize: 10, maxPayload: 20_000, batchesAround: 300, deadMs: 1000 },
  slow: { perKind: 20, requestTimeoutSeconds: 3 },
  abandoned: { poolSize: 4, abandoned: 16, sleepSeconds: 60 },
}

export const SMALL: FaultSizes = {
  postgres: { clients: 4, batchSize: 5, maxPayload: 4000, batchesAround: 20, deadMs: 200 },
  slow: { perKind: 3, requestTimeoutSeconds: 1 },
  abandoned: { poolSize: 2, abandoned: 6, sleepSeconds: 30 },
}
