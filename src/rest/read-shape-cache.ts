/**
 * A cache of planned reads by request shape. Two GETs that differ only in the values of simple
 * filters (`id=eq.5` vs `id=eq.6`) parse, plan and compile to the same SQL text with different bind
 * parameters, so the work is done once per shape: the first request of a shape is planned with
 * marker values, the markers are located among the statement's parameters, and later requests swap
 * their own values in. Everything else in the key (select, order, limit, headers that change the plan)
 * must match exactly. Pure apart from its own memory; bounded; forgotten when the schema cache changes.
 */
import type { SchemaCache } from '../schema-cache/types.js'
import type { ApiRequest } from './api-request/api-request.js'
import { parseCookies, requestHeaders, type RawRequest } from './api-request/parse-api-request.js'
import { canonicalQuery, decodeQuery, type RawParam } from './api-request/query-params-decode.js'
import type { ActionPlan } from './plan/types.js'
import type { CompiledSql } from '../sql/fragment.js'
import { shapeHeader, ShapeEntries } from './shape-entries.js'

export type PlannedRead = Readonly<{ request: ApiRequest; plan: ActionPlan; main: CompiledSql }>

type Slot = Readonly<{ param: number; value: number; like: boolean }>
type Entry = Readonly<{ template: PlannedRead; slots: readonly Slot[] }>

/** Operators whose value reaches SQL verbatim as one bind parameter (`like` turns `*` into `%`). */
const TEMPLATED = /^(not\.)?(eq|neq|gt|gte|lt|lte|isdistinct|match|imatch|like|ilike)\.([\s\S]*)$/
const RESERVED_LAST = new Set(['order', 'limit', 'offset', 'and', 'or'])

const marker = (i: number) => `\u0001${i}\u0001`

function isReserved(key: string): boolean {
  if (key === 'select' || key === 'columns' || key === 'on_conflict') return true
  const dot = key.lastIndexOf('.')
  return RESERVED_LAST.has(dot === -1 ? key : key.slice(dot + 1))
}

type Shape = { key: string; values: string[]; likes: boolean[]; params: RawParam[] }

function shapeOf(raw: RawRequest, variant: string): Shape | undefined {
  let params: RawParam[]
  try {
    params = decodeQuery(raw.query)
  } catch {
    return undefined // the full path reports the error
  }
  const parts: string[] = []
  const values: string[] = []
  const likes: boolean[] = []
  for (const p of params) {
    if (p.value === undefined) {
      parts.push(p.key)
      continue
    }
    const m = isReserved(p.key) ? null : TEMPLATED.exec(p.value)
    if (!m) {
      parts.push(`${p.key}=${p.value}`)
      continue
    }
    const prefix = `${m[1] ?? ''}${m[2]}.`
    parts.push(`${p.key}=${prefix}\u0001`)
    values.push(m[3]!)
    likes.push(m[2] === 'like' || m[2] === 'ilike')
  }
  const key = [
    variant,
    raw.method,
    raw.path,
    parts.join('\u0002'),
    shapeHeader(raw, 'accept'),
    shapeHeader(raw, 'prefer'),
    shapeHeader(raw, 'range'),
    shapeHeader(raw, 'accept-profile'),
  ].join('\u0000')
  return { key, values, likes, params }
}

/** The query of a shape's first request with each templated value replaced by its marker. */
function templateQuery(shape: Shape): string {
  let next = 0
  return shape.params
    .map((p) => {
      if (p.value === undefined) return encodeURIComponent(p.key)
      const m = isReserved(p.key) ? null : TEMPLATED.exec(p.value)
      const value = m ? `${m[1] ?? ''}${m[2]}.${marker(next++)}` : p.value
      return `${encodeURIComponent(p.key)}=${encodeURIComponent(value)}`
    })
    .join('&')
}

export class ReadShapeCache {
  private readonly entries = new ShapeEntries<Entry>()

  /**
   * The planned read for this request, from its shape's entry, or undefined when the request must
   * take the full path (another method, an uncacheable shape, or an error to report).
   */
  lookup(
    raw: RawRequest,
    cache: SchemaCache,
    plan: (templateRaw: RawRequest) => PlannedRead | undefined,
    /** what else the plan depends on (the role: column grants decide what `*` is) */
    variant = '',
  ): PlannedRead | undefined {
    if (raw.method !== 'GET' && raw.method !== 'HEAD') return undefined
    const shape = shapeOf(raw, variant)
    if (!shape) return undefined
    let entry = this.entries.get(cache, shape.key)
    if (entry === undefined) {
      entry = this.build(raw, shape, plan)
      this.entries.set(shape.key, entry)
    }
    if (entry === null) return undefined
    return this.fill(entry, raw, shape)
  }

  private build(raw: RawRequest, shape: Shape, plan: (templateRaw: RawRequest) => PlannedRead | undefined): Entry | null {
    let template: PlannedRead | undefined
    try {
      template = plan({ ...raw, query: templateQuery(shape) })
    } catch {
      return null // errors are answered by the full path, with the real values
    }
    if (!template) return null
    const slots: Slot[] = []
    for (let i = 0; i < shape.values.length; i++) {
      const positions: number[] = []
      template.main.values.forEach((v, k) => {
        if (v === marker(i)) positions.push(k)
      })
      // Each value must land in exactly one parameter, untouched, or the shape is not templatable.
      if (positions.length !== 1) return null
      slots.push({ param: positions[0]!, value: i, like: shape.likes[i]! })
    }
    if (slots.length !== template.main.values.filter((v) => typeof v === 'string' && v.includes('\u0001')).length) return null
    return { template, slots }
  }

  private fill(entry: Entry, raw: RawRequest, shape: Shape): PlannedRead {
    const values = [...entry.template.main.values]
    for (const slot of entry.slots) {
      const v = shape.values[slot.value]!
      values[slot.param] = slot.like ? v.replaceAll('*', '%') : v
    }
    const t = entry.template.request
    const request: ApiRequest = {
      ...t,
      query: { ...t.query, canonical: canonicalQuery(shape.params) },
      headers: requestHeaders(raw.headers),
      cookies: parseCookies(shapeHeader(raw, 'cookie') || undefined),
    }
    return { request, plan: entry.template.plan, main: { text: entry.template.main.text, values } }
  }
}
