/** A labelled text input with help and an error next to it (aria-describedby, aria-invalid). */
import { useId } from 'react'

export type TextFieldProps = Readonly<{
  label: string
  value: string
  onChange: (value: string) => void
  type?: 'text' | 'url' | 'number' | 'search'
  help?: string
  error?: string
  placeholder?: string
  disabled?: boolean
  required?: boolean
  inputMode?: 'numeric'
  autoFocus?: boolean
}>

export function TextField({ label, value, onChange, type = 'text', help, error, placeholder, disabled, required, inputMode, autoFocus }: TextFieldProps) {
  const id = useId()
  const described = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined
  return (
    <div className="field">
      <label htmlFor={id} className="label">
        {label}
      </label>
      <input
        id={id}
        className="input"
        type={type}
        value={value}
        placeholder={placeholder}
        disabled={disabled}
        required={required}
        inputMode={inputMode}
        autoFocus={autoFocus}
        onChange={(e) => onChange(e.target.value)}
        aria-describedby={described}
        aria-invalid={error ? true : undefined}
      />
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
  )
}
