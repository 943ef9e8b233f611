import { describe, expect, it } from 'vitest'
import {
  closestName,
  describeSchemaCache,
  findRelationships,
  findTable,
  similarity,
  suggestTable,
} from './find-relationships.js'
import type { Relationship, SchemaCache, Table } from './types.js'

function table(schema: string, name: string): Table {
  return {
    schema,
    name,
    kind: 'table',
    description: null,
    insertable: true,
    updatable: true,
    deletable: true,
    primaryKey: ['id'],
    columns: [],
  }
}

const m2o: Relationship = {
  kind: 'foreignKey',
  table: { schema: 'api', name: 'projects' },
  foreignTable: { schema: 'api', name: 'clients' },
  isSelf: false,
  cardinality: { kind: 'M2O', constraint: 'projects_client_id_fkey', columns: [['client_id', 'id']] },
  tableIsView: false,
  foreignTableIsView: false,
}

const cache: SchemaCache = {
  schemas: ['api'],
  tables: new Map(
    [table('api', 'clients'), table('api', 'projects'), table('api', 'tasks'), table('other', 'clientes')].map((t) => [
      `${t.schema}.${t.name}`,
      t,
    ]),
  ),
  relationships: new Map([['api.projects', [m2o]]]),
  routines: new Map([
    [
      'api.add',
      [
        { schema: 'api', name: 'add', description: null, params: [], returns: { kind: 'void' }, volatility: 'volatile', returnsSingle: true, hoistedSettings: [] },
        { schema: 'api', name: 'add', description: null, params: [], returns: { kind: 'void' }, volatility: 'stable', returnsSingle: true, hoistedSettings: [] },
      ],
    ],
  ]),
}

describe('findTable / findRelationships', () => {
  it('looks up by schema and name', () => {
    expect(findTable(cache, 'api', 'clients')).toEqual(table('api', 'clients'))
    expect(findTable(cache, 'other', 'clients')).toBeUndefined()
    expect(findRelationships(cache, { schema: 'api', name: 'projects' })).toEqual([m2o])
    expect(findRelationships(cache, { schema: 'api', name: 'clients' })).toEqual([])
  })
})

describe('suggestTable', () => {
  it.each([
    ['client', 'clients'],
    ['Clients', 'clients'],
    ['projcts', 'projects'],
    ['task', 'tasks'],
    ['clientes', 'clients'],
    ['users', null],
    ['tsk', null],
  ])('%s → %s', (name, want) => {
    expect(suggestTable(cache, 'api', name)).toBe(want)
  })

  it('only suggests from the same schema', () => {
    expect(suggestTable(cache, 'other', 'client')).toBe('clientes')
    expect(suggestTable(cache, 'nowhere', 'clients')).toBeNull()
  })

  it('gives up on very large schemas', () => {
    const big: SchemaCache = {
      ...cache,
      tables: new Map(Array.from({ length: 500 }, (_, i) => [`api.t${i}`, table('api', `t${i}`)])),
    }
    expect(suggestTable(big, 'api', 't1x')).toBeNull()
  })
})

describe('similarity', () => {
  it.each([
    ['abc', 'abc', 1],
    ['abc', 'ABC', 1],
    ['', '', 1],
    ['abcd', 'abce', 0.75],
    ['abc', 'xyz', 0],
  ])('%s ~ %s = %s', (a, b, want) => {
    expect(similarity(a, b)).toBe(want)
  })

  it('breaks ties alphabetically', () => {
    expect(closestName('abcd', ['abcf', 'abce'])).toBe('abce')
  })
})

describe('describeSchemaCache', () => {
  it('counts relations, relationships and overloads', () => {
    expect(describeSchemaCache(cache)).toBe('4 Relations, 1 Relationships, 2 Functions')
  })
})
