/**
 * A modal confirmation on the native <dialog>: focus moves into it and stays there, Escape cancels,
 * and the page behind is inert until it closes.
 */
import { useEffect, useId, useRef, useState, type ReactNode } from 'react'
import { ErrorNotice } from './status'

export type ConfirmDialogProps = Readonly<{
  title: string
  children: ReactNode
  confirmLabel: string
  danger?: boolean
  /** runs the action; the dialog closes when it succeeds and shows the error when it fails */
  onConfirm: () => Promise<void>
  onClose: () => void
}>

export function ConfirmDialog({ title, children, confirmLabel, danger, onConfirm, onClose }: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)

  useEffect(() => {
    const dialog = ref.current
    if (dialog && !dialog.open) dialog.showModal()
    return () => dialog?.close()
  }, [])

  const confirm = async () => {
    setBusy(true)
    setError(undefined)
    try {
      await onConfirm()
      onClose()
    } catch (err) {
      setError(err)
      setBusy(false)
    }
  }

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault()
        if (!busy) onClose()
      }}
    >
      <h2 id={titleId} className="dialog-title">
        {title}
      </h2>
      <div className="dialog-body">{children}</div>
      {error !== undefined ? <ErrorNotice error={error} /> : null}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose} disabled={busy} autoFocus>
          Cancel
        </button>
        <button type="button" className={`button ${danger ? 'button-danger' : 'button-primary'}`} onClick={() => void confirm()} disabled={busy}>
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </dialog>
  )
}
