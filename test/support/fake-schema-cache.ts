/**
 * Test support: a small schema cache built in memory (things 1—n parts), for unit tests of the planner
 * and SQL builder that need no database.
 */
import type { Column, SchemaCache, Table } from '../../src/schema-cache/types.js'

export function column(name: string, type: string, extra: Partial<Column> = {}): Column {
  return {
    name,
    type,
    baseType: type,
    nullable: true,
    default: null,
    maxLength: null,
    enumValues: [],
    description: null,
    isJson: type === 'jsonb' || type === 'json',
    isTsvector: type === 'tsvector',
    ...extra,
  }
}

export function table(name: string, columns: Column[], primaryKey: string[] = ['id']): Table {
  return { schema: 'public', name, kind: 'table', description: null, insertable: true, updatable: true, deletable: true, primaryKey, columns }
}

export const things = table('things', [column('id', 'integer'), column('name', 'text'), column('data', 'jsonb'), column('search', 'tsvector')])
export const parts = table('parts', [column('id', 'integer'), column('thing_id', 'integer'), column('label', 'text')])

export const fakeSchemaCache: SchemaCache = {
  schemas: ['public'],
  tables: new Map([
    ['public.things', things],
    ['public.parts', parts],
  ]),
  relationships: new Map([
    [
      'public.things',
      [
        {
          kind: 'foreignKey',
          table: { schema: 'public', name: 'things' },
          foreignTable: { schema: 'public', name: 'parts' },
          isSelf: false,
          cardinality: { kind: 'O2M', constraint: 'parts_thing_id_fkey', columns: [['id', 'thing_id']] },
          tableIsView: false,
          foreignTableIsView: false,
        },
      ],
    ],
    [
      'public.parts',
      [
        {
          kind: 'foreignKey',
          table: { schema: 'public', name: 'parts' },
          foreignTable: { schema: 'public', name: 'things' },
          isSelf: false,
          cardinality: { kind: 'M2O', constraint: 'parts_thing_id_fkey', columns: [['thing_id', 'id']] },
          tableIsView: false,
          foreignTableIsView: false,
        },
      ],
    ],
  ]),
  routines: new Map(),
}
