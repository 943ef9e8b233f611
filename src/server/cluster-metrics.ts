/**
 * /metrics under `serve --workers N`: a scrape reaches one worker, which gathers every worker's
 * families through the primary, each sample labelled with its worker's id.
 */
import { fanOut } from './cluster-fan-out.js'
import { mergeFamilies, type MetricFamily } from './metrics.js'

export const METRICS = 'metrics'

/** Every worker's families; this worker's own alone if the primary does not answer. */
export async function gatherClusterMetrics(own: MetricFamily[], workerId: number): Promise<MetricFamily[]> {
  const replies = await fanOut(METRICS, undefined)
  if (!replies) return mergeFamilies([{ labels: { worker: String(workerId) }, families: own }])
  return mergeFamilies(replies.map((r) => ({ labels: { worker: String(r.worker) }, families: (r.value ?? []) as MetricFamily[] })))
}
