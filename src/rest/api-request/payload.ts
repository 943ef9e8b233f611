/**
 * Stage 1 (parse). A write's body → rows of key/value objects, validated as PostgREST does
 * (postgrest-spec.md §5.1): JSON object or array of objects with identical keys, CSV with a header
 * row, or an urlencoded form. Raises PGRST102.
 */
import { errors } from '../../errors/catalog.js'

export type Row = Readonly<Record<string, unknown>>

export type Payload = Readonly<{
  rows: readonly Row[]
  /** the body was a JSON array (or CSV): the representation stays an array */
  isArray: boolean
  /** the key set, in the order of the first row */
  keys: readonly string[]
}>

export function parsePayload(
  contentType: string | undefined,
  body: Buffer | undefined,
  options: { validateKeys: boolean },
): Payload {
  const mime = (contentType ?? 'application/json').split(';')[0]!.trim().toLowerCase()
  const text = body?.toString('utf8') ?? ''
  switch (mime) {
    case 'application/json':
    case '':
      return parseJsonPayload(text, options.validateKeys)
    case 'text/csv':
      return parseCsvPayload(text)
    case 'application/x-www-form-urlencoded': {
      const row: Record<string, unknown> = {}
      for (const [k, v] of new URLSearchParams(text)) row[k] = v
      return { rows: [row], isArray: false, keys: Object.keys(row) }
    }
    default:
      throw errors.invalidBody(`Content-Type not acceptable: ${mime}`)
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  const set = new Set(a)
  return b.every((k) => set.has(k))
}

export function parseJsonPayload(text: string, validateKeys: boolean): Payload {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw errors.invalidBody('Empty or invalid json')
  }
  if (isPlainObject(value)) return { rows: [value], isArray: false, keys: Object.keys(value) }
  if (!Array.isArray(value)) {
    // PostgREST treats a bare scalar as an empty array.
    return { rows: [], isArray: true, keys: [] }
  }
  if (value.length === 0) return { rows: [], isArray: true, keys: [] }
  if (!value.every(isPlainObject)) throw errors.invalidBody('All object keys must match')
  const rows = value as Record<string, unknown>[]
  const keys = Object.keys(rows[0]!)
  if (validateKeys && !rows.every((r) => sameKeys(keys, Object.keys(r)))) throw errors.invalidBody('All object keys must match')
  return { rows, isArray: true, keys }
}

/** RFC 4180 fields: quoted fields may hold commas, quotes (doubled) and newlines. */
function csvRecords(text: string): string[][] {
  const records: string[][] = []
  let field = ''
  let record: string[] = []
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"'
          i++
        } else quoted = false
      } else field += ch
      continue
    }
    if (ch === '"' && field === '') {
      quoted = true
    } else if (ch === ',') {
      record.push(field)
      field = ''
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++
      record.push(field)
      records.push(record)
      record = []
      field = ''
    } else field += ch
  }
  if (quoted) throw errors.invalidBody('Unterminated quoted field in CSV')
  if (field !== '' || record.length > 0) {
    record.push(field)
    records.push(record)
  }
  return records.filter((r) => !(r.length === 1 && r[0] === ''))
}

export function parseCsvPayload(text: string): Payload {
  const records = csvRecords(text)
  if (records.length === 0) return { rows: [], isArray: true, keys: [] }
  const [header, ...data] = records
  const keys = header!
  const rows = data.map((fields) => {
    if (fields.length !== keys.length) throw errors.invalidBody('All lines must have same number of fields')
    const row: Record<string, unknown> = {}
    keys.forEach((k, i) => {
      const v = fields[i]!
      row[k] = v === 'NULL' ? null : v
    })
    return row
  })
  return { rows, isArray: true, keys }
}
