import { describe, expect, it } from 'vitest'
import type { Table } from '../api/management'
import { rlsWarnings, tableLabel } from './rls-warnings'

const table = (over: Partial<Table>): Table => ({
  schema: 'public',
  name: 'posts',
  kind: 'table',
  rls_enabled: false,
  rls_forced: false,
  estimated_rows: 0,
  has_primary_key: true,
  columns: [],
  policies: [],
  exposed: true,
  ...over,
})

describe('rlsWarnings', () => {
  it('warns, in the hosted console’s words, for each exposed table without RLS', () => {
    expect(rlsWarnings([table({}), table({ schema: 'api', name: 'orders' })])).toEqual([
      { schema: 'public', table: 'posts', label: 'posts', text: 'posts has RLS disabled. All authenticated users can view all rows in this table.' },
      { schema: 'api', table: 'orders', label: 'api.orders', text: 'api.orders has RLS disabled. All authenticated users can view all rows in this table.' },
    ])
  })

  it('says nothing of tables with RLS, tables the API does not expose, or views', () => {
    expect(rlsWarnings([table({ rls_enabled: true }), table({ exposed: false }), table({ kind: 'view' })])).toEqual([])
  })

  it('names tables of public bare and others with their schema', () => {
    expect([tableLabel('public', 'a'), tableLabel('shop', 'b')]).toEqual(['a', 'shop.b'])
  })
})
