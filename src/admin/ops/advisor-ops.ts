/**
 * The database advisor (the hosted `GET /projects/{p}/advisors`): security and performance findings
 * for the schemas the Data API exposes, each with the SQL that fixes it.
 */
import { z } from 'zod'
import { withTarget } from '../admin-context.js'
import { ADVISOR_CHECKS, LEVEL_RANK, type Finding } from '../advisor-checks.js'
import { enabledState } from '../data-api-state.js'
import { target } from '../inputs.js'
import { defineOperation } from '../operation.js'

export const advisors = defineOperation({
  name: 'list_advisor_issues',
  title: 'Advisors',
  description:
    'Security and performance findings for a database’s Data API: tables without row-level security, policies that allow everything, views that bypass RLS, functions with a mutable search_path, tables without a primary key... each with its level and the SQL that fixes it.',
  input: z
    .object({
      ...target,
      category: z.enum(['SECURITY', 'PERFORMANCE']).optional().describe('only this category'),
      min_severity: z.enum(['INFO', 'WARN', 'ERROR']).optional().describe('only findings at least this severe'),
    })
    .strict(),
  readOnly: true,
  http: { method: 'GET', path: '/projects/{project_id}/advisors', query: ['branch_id', 'database_name', 'category', 'min_severity'] },
  cli: {
    command: ['advisors'],
    examples: ['data-api advisors', 'data-api advisors --category SECURITY --min-severity WARN'],
  },
  run: async (ctx, input) =>
    withTarget(ctx, input, async (db, name) => {
      const state = await enabledState(ctx.base, db, name)
      const exposed = [...state.resolved.config.schemas]
      const checks = ADVISOR_CHECKS.filter(
        (c) =>
          (!input.category || c.categories.includes(input.category)) &&
          (!input.min_severity || LEVEL_RANK[c.level] >= LEVEL_RANK[input.min_severity]),
      )
      const issues: Issue[] = []
      for (const check of checks) {
        const findings = await db.query<Finding>(check.query, check.query.includes('$1') ? [exposed] : [])
        for (const f of findings) {
          issues.push({
            name: check.name,
            title: check.title,
            level: check.level,
            facing: check.facing,
            categories: [...check.categories],
            description: check.description,
            detail: check.detail(f),
            remediation: `docs/advisors.md#${check.name}`,
            metadata: { schema: f.schema, name: f.name, type: check.name === 'function_search_path_mutable' ? 'function' : 'table', database: name },
            cache_key: `${check.name}_${f.schema}_${f.name}${f.extra ? `_${f.extra}` : ''}${f.args ? `_${f.args}` : ''}`,
            sql: check.fix(f),
          })
        }
      }
      issues.sort((a, b) => LEVEL_RANK[b.level as keyof typeof LEVEL_RANK] - LEVEL_RANK[a.level as keyof typeof LEVEL_RANK])
      return { issues }
    }),
})

export type Issue = {
  name: string
  title: string
  level: string
  facing: string
  categories: string[]
  description: string
  detail: string
  remediation: string
  metadata: Record<string, unknown>
  cache_key: string
  sql: string
}
