/**
 * Which browser origins may call the auth service with credentials: the configured list (exact
 * origins, or patterns with `*` such as `https://*.example.com`), the service's own origin, and, when
 * allowed (development), any port of localhost, 127.0.0.1 and [::1].
 */
export type OriginSettings = Readonly<{ trustedOrigins: readonly string[]; allowLocalhost: boolean }>

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

function matches(origin: string, pattern: string): boolean {
  if (!pattern.includes('*')) return origin === pattern.replace(/\/+$/, '')
  const re = new RegExp(`^${pattern.replace(/\/+$/, '').split('*').map(escape).join('[^/]*')}$`)
  return re.test(origin)
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

export function isLocalOrigin(origin: string): boolean {
  try {
    const url = new URL(origin)
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOCAL_HOSTS.has(url.hostname)
  } catch {
    return false
  }
}

export function isTrustedOrigin(origin: string, settings: OriginSettings, ownOrigin?: string): boolean {
  if (origin === 'null') return false
  if (ownOrigin !== undefined && origin === ownOrigin) return true
  if (settings.allowLocalhost && isLocalOrigin(origin)) return true
  return settings.trustedOrigins.some((pattern) => matches(origin, pattern))
}
