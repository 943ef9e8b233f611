/**
 * `status`: whether the Data API is enabled on a database, its exposed schemas, whether the request
 * roles exist, and the tables of the exposed schemas without row-level security.
 */
import { z } from 'zod'
import { withTarget } from '../admin-context.js'
import { dataApiState } from '../data-api-state.js'
import { databaseStatus } from '../database-status.js'
import { target } from '../inputs.js'
import { defineOperation } from '../operation.js'

export const status = defineOperation({
  name: 'get_status',
  title: 'Status',
  description:
    'Whether the Data API is enabled on a database, the schemas it exposes, whether its roles exist, and every table in those schemas with row-level security disabled (each such table is readable and writable in full by every role granted access).',
  input: z.object({ ...target }).strict(),
  readOnly: true,
  http: { method: 'GET', path: '/projects/{project_id}/branches/{branch_id}/databases/{database_name}/status' },
  cli: { command: ['status'], examples: ['data-api status', 'data-api status --database shop --output json'] },
  run: async (ctx, input) => withTarget(ctx, input, async (db, name) => databaseStatus(db, name, await dataApiState(ctx.base, db))),
})
