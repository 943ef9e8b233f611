/** Loading, error and notice blocks, the same on every page. */
import type { ReactNode } from 'react'
import { ApiError } from '../api/client'

export function Loading({ label }: { label: string }) {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  )
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  return String(error)
}

/** An API error with its detail and hint, and a way to try again where that makes sense. */
export function ErrorNotice({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) {
  const api = error instanceof ApiError ? error : undefined
  return (
    <div className="notice notice-error" role="alert">
      {title ? <p className="notice-title">{title}</p> : null}
      <p>{errorMessage(error)}</p>
      {api?.detail ? <p className="notice-extra">Detail: {api.detail}</p> : null}
      {api?.hint ? <p className="notice-extra">Hint: {api.hint}</p> : null}
      {onRetry ? (
        <button type="button" className="button button-small" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  )
}

export function Notice({ kind, children, live }: { kind: 'info' | 'warning' | 'success'; children: ReactNode; live?: boolean }) {
  return (
    <div className={`notice notice-${kind}`} role={live ? 'status' : undefined}>
      {children}
    </div>
  )
}
