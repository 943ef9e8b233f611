/**
 * Data a page loads from the API: loading, ready or failed, with `reload`. An answer that arrives
 * after a newer load began (the database changed meanwhile) is dropped.
 */
import { useCallback, useEffect, useRef, useState } from 'react'

export type Resource<T> =
  | Readonly<{ state: 'loading'; data: T | undefined; error: undefined }>
  | Readonly<{ state: 'ready'; data: T; error: undefined }>
  | Readonly<{ state: 'failed'; data: T | undefined; error: unknown }>

export function useResource<T>(load: () => Promise<T>, deps: readonly unknown[]): Resource<T> & { reload: () => Promise<void> } {
  const [resource, setResource] = useState<Resource<T>>({ state: 'loading', data: undefined, error: undefined })
  const generation = useRef(0)
  // a new load function each render, but a new load only when what it depends on changed (as useEffect's deps)
  const run = useCallback(load, deps)

  const reload = useCallback(async () => {
    const mine = ++generation.current
    setResource((r) => ({ state: 'loading', data: r.data, error: undefined }))
    try {
      const data = await run()
      if (mine === generation.current) setResource({ state: 'ready', data, error: undefined })
    } catch (error) {
      if (mine === generation.current) setResource((r) => ({ state: 'failed', data: r.data, error }))
    }
  }, [run])

  useEffect(() => {
    void reload()
    return () => {
      generation.current++
    }
  }, [reload])

  return { ...resource, reload }
}
