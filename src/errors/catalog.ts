/**
 * Every PGRST code we raise, each constructed exactly once here, with PostgREST's status, message,
 * details and hint (postgrest-spec.md §9.2). 0xx connection · 1xx api request · 2xx schema cache ·
 * 3xx jwt · X internal.
 */
import { ApiError } from './api-error.js'

const bearer = { 'WWW-Authenticate': 'Bearer' }
const invalidToken = (message: string) => ({
  'WWW-Authenticate': `Bearer error="invalid_token", error_description="${message.replaceAll('"', "'")}"`,
})

const RAISE_PARSE = 'Could not parse JSON in the "RAISE SQLSTATE \'PGRST\'" error'
const RAISE_DETAIL_HINT = "DETAIL must be a JSON object with obligatory keys: 'status', 'headers' and optional key: 'status_text'."

export const errors = {
  // 0xx: connection and schema cache availability
  connection: (details: string | null) => new ApiError(503, 'PGRST000', 'Database connection error.', details, null, { 'Retry-After': '0' }),
  /** no connection was free within DATA_API_POOL_TIMEOUT: the request may be retried */
  poolTimeout: () => new ApiError(503, 'PGRST003', 'Timed out acquiring connection from connection pool.', null, null, { 'Retry-After': '1' }),
  /** the client went away; nobody reads this answer (counted as nginx counts it, 499) */
  clientClosed: () => new ApiError(499, 'PGRSTX01', 'Client closed request'),
  noSchemaCache: () =>
    new ApiError(503, 'PGRST002', 'Could not query the database for the schema cache. Retrying.', null, null, { 'Retry-After': '0' }),

  // 1xx: the request itself
  parse: (what: string, input: string, column: number, details: string) =>
    new ApiError(400, 'PGRST100', `"failed to parse ${what} (${input})" (line 1, column ${column})`, details),
  queryParam: (message: string, details: string | null = null) => new ApiError(400, 'PGRST100', message, details),
  unsupportedRpcMethod: (method: string) => new ApiError(405, 'PGRST101', `Cannot use the ${method} method on RPC`),
  invalidBody: (message: string) => new ApiError(400, 'PGRST102', message),
  invalidRange: (details: string, headers: Record<string, string> = {}) =>
    new ApiError(416, 'PGRST103', 'Requested range not satisfiable', details, null, headers),
  invalidFilters: () => new ApiError(405, 'PGRST105', "Filters must include all and only primary key columns with 'eq' operators"),
  unacceptableSchema: (schema: string, exposed: readonly string[]) =>
    new ApiError(406, 'PGRST106', `Invalid schema: ${schema}`, null, `Only the following schemas are exposed: ${exposed.join(', ')}`),
  mediaTypeError: (mediaTypes: readonly string[]) =>
    new ApiError(406, 'PGRST107', `None of these media types are available: ${mediaTypes.join(', ')}`),
  notEmbedded: (name: string) =>
    new ApiError(
      400,
      'PGRST108',
      `'${name}' is not an embedded resource in this request`,
      null,
      `Verify that '${name}' is included in the 'select' query parameter.`,
    ),
  gucHeaders: () =>
    new ApiError(500, 'PGRST111', 'response.headers guc must be a JSON array composed of objects with a single key and a string value'),
  raisedMessage: (message: string) =>
    new ApiError(500, 'PGRST121', RAISE_PARSE, `Invalid JSON value for MESSAGE: '${message}'`, "MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: 'details', 'hint'."),
  raisedDetail: (detail: string | undefined) =>
    new ApiError(500, 'PGRST121', RAISE_PARSE, detail === undefined ? 'DETAIL is missing in the RAISE statement' : `Invalid JSON value for DETAIL: '${detail}'`, RAISE_DETAIL_HINT),
  gucStatus: () => new ApiError(500, 'PGRST112', 'response.status guc must be a valid status code'),
  putLimitNotAllowed: () => new ApiError(400, 'PGRST114', 'limit/offset querystring parameters are not allowed for PUT'),
  putMatchingPk: () => new ApiError(400, 'PGRST115', 'Payload values do not match URL in primary key column(s)'),
  singularity: (rows: number) =>
    new ApiError(406, 'PGRST116', 'Cannot coerce the result to a single JSON object', `The result contains ${rows} rows`),
  unsupportedMethod: (method: string) => new ApiError(405, 'PGRST117', `Unsupported HTTP method: ${method}`),
  relatedOrderNotToOne: (origin: string, target: string) =>
    new ApiError(
      400,
      'PGRST118',
      `A related order on '${target}' is not possible`,
      `'${origin}' and '${target}' do not form a many-to-one or one-to-one relationship`,
    ),
  invalidPreferences: (invalid: readonly string[]) =>
    new ApiError(400, 'PGRST122', 'Invalid preferences given with handling=strict', `Invalid preferences: ${invalid.join(', ')}`),
  aggregatesNotAllowed: () => new ApiError(400, 'PGRST123', 'Use of aggregate functions is not allowed'),
  maxAffectedViolation: (rows: number) =>
    new ApiError(400, 'PGRST124', 'Query result exceeds max-affected preference constraint', `The query affects ${rows} rows`),
  maxAffectedNotSetof: () =>
    new ApiError(400, 'PGRST128', 'Function must return SETOF or TABLE when max-affected preference is used with handling=strict'),
  invalidPath: () => new ApiError(404, 'PGRST125', 'Invalid path specified in request URL'),
  /** every request to a database whose Data API was disabled (`data-api disable`) */
  apiDisabled: (database: string) =>
    new ApiError(404, 'PGRST125', 'Invalid path specified in request URL', `The Data API is disabled for database "${database}"`, 'An operator can enable it with: data-api create'),
  openApiDisabled: () => new ApiError(404, 'PGRST126', 'Root endpoint metadata is disabled'),
  /** the same embed name twice at one level: PostgreSQL's refusal of the subquery name PostgREST gives both */
  duplicateEmbed: (subquery: string) => new ApiError(400, '42712', `table name "${subquery}" specified more than once`),
  notImplemented: (details: string) => new ApiError(400, 'PGRST127', 'Feature not implemented', details),

  // 2xx: names resolved against the schema cache
  noRelBetween: (parent: string, child: string, schema: string, relHint: string | null, suggestion: string | null) =>
    new ApiError(
      400,
      'PGRST200',
      `Could not find a relationship between '${parent}' and '${child}' in the schema cache`,
      `Searched for a foreign key relationship between '${parent}' and '${child}'${relHint ? ` using the hint '${relHint}'` : ''} in the schema '${schema}', but no matches were found.`,
      suggestion,
    ),
  ambiguousRelBetween: (parent: string, child: string, details: unknown[], suggestions: readonly string[]) =>
    new ApiError(
      300,
      'PGRST201',
      `Could not embed because more than one relationship was found for '${parent}' and '${child}'`,
      details,
      `Try changing '${child}' to one of the following: ${suggestions.map((s) => `'${s}'`).join(', ')}. Find the desired relationship in the 'details' key.`,
    ),
  noRpc: (message: string, details: string, hint: string | null) => new ApiError(404, 'PGRST202', message, details, hint),
  ambiguousRpc: (signatures: readonly string[]) =>
    new ApiError(
      300,
      'PGRST203',
      `Could not choose the best candidate function between: ${signatures.join(', ')}`,
      null,
      'Try renaming the parameters or the function itself in the database so function overloading can be resolved',
    ),
  columnNotFound: (table: string, column: string) =>
    new ApiError(400, 'PGRST204', `Could not find the '${column}' column of '${table}' in the schema cache`),
  tableNotFound: (schema: string, name: string, suggestion: string | null) =>
    new ApiError(
      404,
      'PGRST205',
      `Could not find the table '${schema}.${name}' in the schema cache`,
      null,
      suggestion ? `Perhaps you meant the table '${schema}.${suggestion}'` : null,
    ),

  // 3xx: tokens
  jwtSecretMissing: () => new ApiError(500, 'PGRST300', 'Server lacks JWT secret'),
  jwtDecode: (message: string, details: string | null = null) =>
    new ApiError(401, 'PGRST301', message, details, null, invalidToken(message)),
  anonymousDisabled: () => new ApiError(401, 'PGRST302', 'Anonymous access is disabled', null, null, bearer),
  jwtClaims: (message: string) => new ApiError(401, 'PGRST303', message, null, null, invalidToken(message)),

  /** PostgreSQL's own refusal of SET ROLE, for a role a request may never run as (see env-statement.ts) */
  roleRefused: (role: string) => new ApiError(401, '42501', `permission denied to set role "${role}"`, null, null, bearer),

  internal: (message: string) => new ApiError(500, 'PGRSTX00', message),
} as const
