/** Rewrites the generated parts of the docs: docs/settings.md and the operations table of docs/management.md (npm run docs:settings). */
import { readFileSync, writeFileSync } from 'node:fs'
import { withOperationsTable } from '../src/admin/operations-reference.js'
import { OPERATIONS } from '../src/admin/registry.js'
import { settingsReference } from '../src/config/settings-reference.js'

writeFileSync(new URL('../docs/settings.md', import.meta.url), settingsReference())
const management = new URL('../docs/management.md', import.meta.url)
writeFileSync(management, withOperationsTable(readFileSync(management, 'utf8'), OPERATIONS))
