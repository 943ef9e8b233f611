/**
 * `gen types`: the TypeScript `Database` type of a database's exposed schemas, in the shape
 * supabase-js, postgrest-js and neon-js take as their generic (src/typegen).
 */
import { z } from 'zod'
import { generateTypes } from '../../typegen/generate-types.js'
import { withTarget } from '../admin-context.js'
import { dataApiState } from '../data-api-state.js'
import { identifier, target } from '../inputs.js'
import { defineOperation } from '../operation.js'
import { sqlError } from './sql-ops.js'

export const genTypes = defineOperation({
  name: 'generate_types',
  title: 'Generate TypeScript types',
  description:
    'The TypeScript Database type (Tables with Row/Insert/Update/Relationships, Views, Functions, Enums, CompositeTypes) of the schemas the Data API exposes, or of the ones given, for a typed supabase-js / postgrest-js / neon-js client.',
  input: z.object({ ...target, schema: z.array(identifier).min(1).optional().describe('the schemas (default: the exposed ones); the first is the client’s default') }).strict(),
  readOnly: true,
  http: { method: 'GET', path: '/projects/{project_id}/branches/{branch_id}/databases/{database_name}/types', query: ['schema'] },
  cli: {
    command: ['gen', 'types'],
    text: 'types',
    examples: ['data-api gen types > src/database.ts', 'data-api gen types --schema public --schema api --output src/database.ts'],
  },
  run: async (ctx, input) =>
    withTarget(ctx, input, async (db) => {
      const state = await dataApiState(ctx.base, db)
      const schemas = input.schema ?? (state.enabled ? [...state.resolved.config.schemas] : ['public'])
      try {
        return { types: await generateTypes((text, values) => db.query(text, values), { schemas }) }
      } catch (err) {
        throw sqlError(err)
      }
    }),
})
