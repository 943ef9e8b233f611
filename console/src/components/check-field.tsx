/** A checkbox named by its label alone, with its help as its description. */
import { useId } from 'react'

export function CheckField({
  label,
  checked,
  onChange,
  help,
  error,
  disabled,
}: Readonly<{ label: string; checked: boolean; onChange: (checked: boolean) => void; help?: string; error?: string; disabled?: boolean }>) {
  const id = useId()
  const described = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined
  return (
    <div className="check">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        disabled={disabled}
        onChange={(e) => onChange(e.target.checked)}
        aria-describedby={described}
        aria-invalid={error ? true : undefined}
      />
      <div>
        <label htmlFor={id} className="check-label">
          {label}
        </label>
        {help ? (
          <p id={`${id}-help`} className="help">
            {help}
          </p>
        ) : null}
        {error ? (
          <p id={`${id}-error`} className="field-error">
            {error}
          </p>
        ) : null}
      </div>
    </div>
  )
}
