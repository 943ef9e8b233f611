import { describe, expect, it } from 'vitest'
import { renderTypes } from './render-types.js'
import type { TsDatabase, TsSchema } from './types-model.js'

const emptySchema = (name: string): TsSchema => ({ name, tables: [], views: [], functions: [], enums: [], compositeTypes: [] })

/** The text between `export type Database = ` and the line that closes it. */
function databaseType(source: string): string {
  const start = source.indexOf('export type Database = ')
  return source.slice(start, source.indexOf('\n}\n', start) + 2)
}

describe('renderTypes', () => {
  it('writes empty sections as the empty mapped type, and the PostgREST version', () => {
    const db: TsDatabase = { postgrestVersion: '14', schemas: [emptySchema('public')] }
    expect(databaseType(renderTypes(db))).toBe(`export type Database = {
  __InternalSupabase: {
    PostgrestVersion: "14"
  }
  public: {
    Tables: { [_ in never]: never }
    Views: { [_ in never]: never }
    Functions: { [_ in never]: never }
    Enums: { [_ in never]: never }
    CompositeTypes: { [_ in never]: never }
  }
}`)
  })

  it('writes Row, Insert, Update and Relationships of a table', () => {
    const db: TsDatabase = {
      postgrestVersion: '14',
      schemas: [
        {
          ...emptySchema('public'),
          tables: [
            {
              name: 'posts',
              columns: [
                { name: 'id', type: 'number', nullable: false, insert: 'never', update: 'never' },
                { name: 'author id', type: 'number', nullable: false, insert: 'required', update: 'optional' },
                { name: 'body', type: 'string', nullable: true, insert: 'optional', update: 'optional' },
              ],
              relationships: [
                { foreignKeyName: 'posts_author_fkey', columns: ['author id'], isOneToOne: false, referencedRelation: 'authors', referencedColumns: ['id'] },
              ],
              writable: true,
            },
          ],
        },
      ],
    }
    expect(databaseType(renderTypes(db))).toContain(`    Tables: {
      posts: {
        Row: {
          id: number
          "author id": number
          body: string | null
        }
        Insert: {
          id?: never
          "author id": number
          body?: string | null
        }
        Update: {
          id?: never
          "author id"?: number
          body?: string | null
        }
        Relationships: [
          {
            foreignKeyName: "posts_author_fkey"
            columns: ["author id"]
            isOneToOne: false
            referencedRelation: "authors"
            referencedColumns: ["id"]
          },
        ]
      }
    }`)
  })

  it('writes a read-only view without Insert and Update', () => {
    const db: TsDatabase = {
      postgrestVersion: '14',
      schemas: [
        {
          ...emptySchema('public'),
          views: [{ name: 'stats', columns: [{ name: 'n', type: 'number', nullable: true, insert: 'optional', update: 'optional' }], relationships: [], writable: false }],
        },
      ],
    }
    expect(databaseType(renderTypes(db))).toContain(`    Views: {
      stats: {
        Row: {
          n: number | null
        }
        Relationships: []
      }
    }`)
  })

  it('writes functions with their arguments, results, set options and overloads', () => {
    const db: TsDatabase = {
      postgrestVersion: '14',
      schemas: [
        {
          ...emptySchema('public'),
          functions: [
            { name: 'now_text', overloads: [{ args: null, returns: 'string' }] },
            {
              name: 'recent',
              overloads: [{ args: [{ name: 'n', type: 'number', optional: true }], returns: 'Database["public"]["Tables"]["posts"]["Row"][]', setof: { to: 'posts', isOneToOne: false, isSetofReturn: true } }],
            },
            {
              name: 'echo',
              overloads: [
                { args: [{ name: 'v', type: 'string', optional: false }], returns: 'string' },
                { args: [{ name: 'n', type: 'number', optional: false }], returns: 'number' },
              ],
            },
          ],
        },
      ],
    }
    const text = databaseType(renderTypes(db))
    expect(text).toContain(`      now_text: {
        Args: never
        Returns: string
      }`)
    expect(text).toContain(`      recent: {
        Args: {
          n?: number
        }
        Returns: Database["public"]["Tables"]["posts"]["Row"][]
        SetofOptions: { from: "*"; to: "posts"; isOneToOne: false; isSetofReturn: true }
      }`)
    expect(text).toContain(`      echo:
        | {
          Args: {
            v: string
          }
          Returns: string
        }
        | {
          Args: {
            n: number
          }
          Returns: number
        }`)
  })

  it('writes enums, composite types and their constants for every schema', () => {
    const db: TsDatabase = {
      postgrestVersion: '14',
      schemas: [
        { ...emptySchema('public'), enums: [{ name: 'status', labels: ['draft', 'published'] }] },
        { ...emptySchema('geo'), compositeTypes: [{ name: 'place', attributes: [{ name: 'lat', type: 'number' }] }] },
      ],
    }
    const text = renderTypes(db)
    expect(text).toContain(`    Enums: {
      status: "draft" | "published"
    }`)
    expect(text).toContain(`    CompositeTypes: {
      place: {
        lat: number | null
      }
    }`)
    expect(text).toContain('type DefaultSchema = Database["public"]')
    expect(text).toContain(`export const Constants = {
  public: {
    Enums: {
      status: ["draft", "published"],
    },
  },
  geo: {
    Enums: {},
  },
} as const`)
  })
})
