import { describe, expect, it } from 'vitest'
import { databasePath, literalUnion, tsType, type TypeContext } from './pg-to-ts.js'
import type { UserType } from './typegen-catalog.js'

const userType = (t: Partial<UserType> & Pick<UserType, 'key' | 'schema' | 'name' | 'kind'>): UserType => ({ labels: [], base: null, attributes: [], ...t })

const context: TypeContext = {
  schemas: new Set(['public']),
  types: new Map(
    [
      userType({ key: 'public.mood', schema: 'public', name: 'mood', kind: 'enum', labels: ['sad', 'ok'] }),
      userType({ key: 'other.level', schema: 'other', name: 'level', kind: 'enum', labels: ['low', 'high'] }),
      userType({ key: 'public.address', schema: 'public', name: 'address', kind: 'composite' }),
      userType({ key: 'other.point3', schema: 'other', name: 'point3', kind: 'composite' }),
      userType({ key: 'public.email', schema: 'public', name: 'email', kind: 'domain', base: 'text' }),
      userType({ key: 'public.moods', schema: 'public', name: 'moods', kind: 'domain', base: 'public.mood[]' }),
      userType({ key: 'public.posts', schema: 'public', name: 'posts', kind: 'row' }),
      userType({ key: 'public."My View"', schema: 'public', name: 'My View', kind: 'row' }),
    ].map((t) => [t.key, t]),
  ),
  relations: new Map([
    ['public.posts', 'Tables'],
    ['public.My View', 'Views'],
  ]),
}

describe('tsType', () => {
  it.each([
    ['smallint', 'number'],
    ['integer', 'number'],
    ['bigint', 'number'],
    ['numeric', 'number'],
    ['double precision', 'number'],
    ['boolean', 'boolean'],
    ['text', 'string'],
    ['character varying', 'string'],
    ['uuid', 'string'],
    ['timestamp with time zone', 'string'],
    ['date', 'string'],
    ['bytea', 'string'],
    ['tstzrange', 'string'],
    ['public.citext', 'string'],
    ['json', 'Json'],
    ['jsonb', 'Json'],
    ['void', 'undefined'],
    ['record', 'Record<string, unknown>'],
    ['point', 'unknown'],
    ['text[]', 'string[]'],
    ['integer[]', 'number[]'],
  ])('%s → %s', (pg, ts) => {
    expect(tsType(pg, context)).toBe(ts)
  })

  it('refers to enums and composite types of the generated schemas, writes out or gives up on others', () => {
    expect(tsType('public.mood', context)).toBe('Database["public"]["Enums"]["mood"]')
    expect(tsType('public.mood[]', context)).toBe('Database["public"]["Enums"]["mood"][]')
    expect(tsType('other.level', context)).toBe('"low" | "high"')
    expect(tsType('other.level[]', context)).toBe('("low" | "high")[]')
    expect(tsType('public.address', context)).toBe('Database["public"]["CompositeTypes"]["address"]')
    expect(tsType('other.point3', context)).toBe('Record<string, unknown>')
  })

  it('follows domains to their base type', () => {
    expect(tsType('public.email', context)).toBe('string')
    expect(tsType('public.moods', context)).toBe('Database["public"]["Enums"]["mood"][]')
  })

  it('refers to the row types of tables and views', () => {
    expect(tsType('public.posts', context)).toBe('Database["public"]["Tables"]["posts"]["Row"]')
    expect(tsType('public."My View"[]', context)).toBe('Database["public"]["Views"]["My View"]["Row"][]')
  })
})

describe('helpers', () => {
  it('quotes every key of a path', () => {
    expect(databasePath('my schema', 'Enums', 'a"b')).toBe('Database["my schema"]["Enums"]["a\\"b"]')
  })

  it('writes labels as a union, and an enum without labels as never', () => {
    expect(literalUnion(['a', "it's"])).toBe('"a" | "it\'s"')
    expect(literalUnion([])).toBe('never')
  })
})
