/**
 * The operations' HTTP bindings both ways: a request (method, path, query, body) to an operation
 * and its raw input, for the server; an operation and its input to a request, for the remote CLI
 * client. One module, so the two cannot disagree.
 */
import { z } from 'zod'
import type { HttpBinding, Operation } from './operation.js'

type Route = Readonly<{ operation: Operation; pattern: RegExp; params: readonly string[] }>

function compile(operation: Operation): Route {
  const params: string[] = []
  const source = operation.http.path
    .split('/')
    .map((segment) => {
      if (segment.startsWith('{') && segment.endsWith('}')) {
        params.push(segment.slice(1, -1))
        return '([^/]+)'
      }
      return segment.replace(/[.*+?^$()|[\]\\-]/g, '\\$&')
    })
    .join('/')
  return { operation, pattern: new RegExp(`^${source}/?$`), params }
}

export type RouteMatch =
  | Readonly<{ kind: 'operation'; operation: Operation; params: Readonly<Record<string, string>> }>
  | Readonly<{ kind: 'method-not-allowed'; allow: readonly string[] }>
  | Readonly<{ kind: 'not-found' }>

export class HttpRoutes {
  private readonly routes: readonly Route[]

  constructor(operations: readonly Operation[]) {
    this.routes = operations.map(compile)
  }

  match(method: string, path: string, body: Readonly<Record<string, unknown>>): RouteMatch {
    const allow = new Set<string>()
    for (const route of this.routes) {
      const m = route.pattern.exec(path)
      if (!m) continue
      allow.add(route.operation.http.method)
      if (route.operation.http.method !== method) continue
      if (route.operation.http.when && !route.operation.http.when(body)) continue
      const params: Record<string, string> = {}
      route.params.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1]!)
      })
      return { kind: 'operation', operation: route.operation, params }
    }
    return allow.size > 0 ? { kind: 'method-not-allowed', allow: [...allow] } : { kind: 'not-found' }
  }
}

/** The field of an object schema, without its optional/default wrappers. */
function fieldSchema(operation: Operation, field: string): z.ZodType | undefined {
  const shape = (operation.input as unknown as { shape?: Record<string, z.ZodType> }).shape
  let schema = shape?.[field]
  while (schema && (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault || schema instanceof z.ZodNullable)) {
    schema = (schema as unknown as { unwrap: () => z.ZodType }).unwrap()
  }
  return schema
}

/** The raw input of a request: the route's defaults, the body, the query fields the binding names, the path parameters. */
export function requestInput(
  operation: Operation,
  params: Readonly<Record<string, string>>,
  query: URLSearchParams,
  body: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const input: Record<string, unknown> = { ...operation.http.defaults, ...body }
  for (const field of operation.http.query ?? []) {
    const values = query.getAll(field)
    if (values.length === 0) continue
    const isList = fieldSchema(operation, field) instanceof z.ZodArray
    input[field] = isList ? values.flatMap((v) => v.split(',')).filter((v) => v !== '') : values[values.length - 1]
  }
  for (const [name, value] of Object.entries(params)) if (name !== 'project_id') input[name] = value
  return input
}

/** The request that runs an operation with this input on a server (the remote client's side). */
export function requestFor(
  operation: Operation,
  input: Readonly<Record<string, unknown>>,
  checked: Readonly<Record<string, unknown>>,
  defaults: Readonly<{ project_id: string; branch_id: string; database_name: string }>,
): { method: HttpBinding['method']; path: string; body: Record<string, unknown> | undefined } {
  const binding = operation.http
  const used = new Set<string>()
  const path = binding.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    used.add(name)
    const value = input[name] ?? checked[name] ?? defaults[name as keyof typeof defaults]
    return encodeURIComponent(String(value))
  })
  const query = new URLSearchParams()
  for (const field of binding.query ?? []) {
    used.add(field)
    // a field the route would default differently is always sent, with the operation's own value
    const value = input[field] ?? (binding.defaults && field in binding.defaults ? checked[field] : undefined)
    if (value === undefined) continue
    query.set(field, Array.isArray(value) ? value.join(',') : String(value))
  }
  const rest = Object.fromEntries(Object.entries(input).filter(([k, v]) => !used.has(k) && v !== undefined))
  const hasBody = binding.method !== 'GET' && (binding.method !== 'DELETE' || Object.keys(rest).length > 0)
  const search = query.toString()
  return { method: binding.method, path: `${path}${search ? `?${search}` : ''}`, body: hasBody ? rest : undefined }
}
