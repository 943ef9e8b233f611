/** A read-only value with a label and a "Copy" button that says when it copied. */
import { useEffect, useId, useRef, useState } from 'react'

async function copy(text: string, input: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    // no clipboard API here (a plain-http origin other than localhost): select it for Ctrl+C
    input?.select()
    return false
  }
}

export function CopyField({ label, value }: { label: string; value: string }) {
  const id = useId()
  const input = useRef<HTMLInputElement>(null)
  const [said, setSaid] = useState('')
  useEffect(() => {
    if (!said) return
    const t = setTimeout(() => setSaid(''), 2500)
    return () => clearTimeout(t)
  }, [said])
  return (
    <div className="copy-field">
      <label htmlFor={id} className="label">
        {label}
      </label>
      <div className="copy-row">
        <input id={id} ref={input} className="input mono" readOnly value={value} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" className="button" aria-describedby={id} onClick={() => void copy(value, input.current).then((ok) => setSaid(ok ? 'Copied' : 'Selected: press Ctrl+C to copy'))}>
          Copy
        </button>
        <span className="copy-said" role="status">
          {said}
        </span>
      </div>
    </div>
  )
}
