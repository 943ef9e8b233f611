/**
 * The shapes environment variables come in, shared by the server's and the auth service's schemas:
 * comma lists, true/false flags and http(s) URLs.
 */
import { z } from 'zod'

/** `a, b,,c` → ['a', 'b', 'c'] */
export const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== ''),
)

/** `true` or `false`, nothing else */
export const bool = z.enum(['true', 'false']).transform((v) => v === 'true')

/** an absolute http:// or https:// URL (zod's url() alone takes any scheme) */
export const httpUrl = z
  .string()
  .url('must be an http(s) URL')
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL')
