/**
 * Where the console is: the page and the database, in the URL's fragment (`#/sql?db=shop`), so the
 * server serves one page at /console and every view has an address to bookmark or reload.
 */
import { useEffect, useState } from 'react'

export const PAGES = [
  { id: 'data-api', label: 'Data API' },
  { id: 'sql', label: 'SQL Editor' },
  { id: 'tables', label: 'Tables' },
  { id: 'auth', label: 'Auth' },
  { id: 'advisors', label: 'Advisors' },
] as const

export type PageId = (typeof PAGES)[number]['id']

export type Route = Readonly<{ page: PageId; database: string | undefined }>

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?', 2)
  const page = PAGES.find((p) => p.id === path)?.id ?? 'data-api'
  const database = new URLSearchParams(query).get('db') || undefined
  return { page, database }
}

export function routeHref(route: Route): string {
  return `#/${route.page}${route.database ? `?${new URLSearchParams({ db: route.database })}` : ''}`
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash))
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash))
    window.addEventListener('hashchange', onChange)
    return () => window.removeEventListener('hashchange', onChange)
  }, [])
  return route
}
