/**
 * Every management operation. The HTTP API (/api/v2), the CLI and the MCP server are generated from
 * this list: add an operation here and it appears in all three.
 */
import type { Operation } from './operation.js'
import { advisors } from './ops/advisor-ops.js'
import * as auth from './ops/auth-ops.js'
import * as branch from './ops/branch-ops.js'
import { createDataApi, deleteDataApi, getDataApi, refreshDataApiSchema, updateDataApi } from './ops/data-api-ops.js'
import { addJwks, deleteJwks, listJwks } from './ops/jwks-ops.js'
import * as project from './ops/project-ops.js'
import { querySql, runSql } from './ops/sql-ops.js'
import { status } from './ops/status-ops.js'
import { enableRls, listTables, tableRows } from './ops/table-ops.js'
import { genTypes } from './ops/types-ops.js'

export const OPERATIONS: readonly Operation[] = [
  createDataApi,
  getDataApi,
  updateDataApi,
  refreshDataApiSchema,
  deleteDataApi,
  status,
  runSql,
  querySql,
  listTables,
  tableRows,
  enableRls,
  advisors,
  genTypes,
  listJwks,
  addJwks,
  deleteJwks,
  auth.getAuth,
  auth.enableAuth,
  auth.disableAuth,
  auth.listAuthUsers,
  auth.createAuthUser,
  auth.deleteAuthUser,
  auth.listTrustedDomains,
  auth.addTrustedDomain,
  auth.deleteTrustedDomains,
  auth.getEmailAndPassword,
  auth.updateEmailAndPassword,
  auth.getAllowLocalhost,
  auth.updateAllowLocalhost,
  auth.rotateAuthKeys,
  project.listProjects,
  project.getProject,
  branch.listBranches,
  branch.getBranch,
  branch.createBranch,
  branch.deleteBranch,
  branch.resetBranch,
  project.listDatabases,
  project.getDatabase,
  project.createDatabase,
  project.deleteDatabase,
]

export const OPERATION_BY_NAME: ReadonlyMap<string, Operation> = new Map(OPERATIONS.map((o) => [o.name, o]))
