/**
 * "Advanced settings": the hosted console's seven settings. "Save" sends only the changed ones,
 * merged into the rest (update_data_api with replace=false); the API's errors show next to their
 * fields. A setting an environment variable pins is shown but cannot be changed here.
 */
import { useEffect, useId, useState, type FormEvent } from 'react'
import { ApiError } from '../../api/client'
import { updateDataApi, type DataApi, type Target } from '../../api/management'
import { CheckField } from '../../components/check-field'
import { ErrorNotice } from '../../components/status'
import { TextField } from '../../components/text-field'
import { ADVANCED_FIELDS, changedSettings, fieldErrors, formValues, pinnedBy, type FormValues, type SettingField } from '../../lib/settings-form'

export function AdvancedSettings({ target, api, onSaved }: { target: Target; api: DataApi; onSaved: () => Promise<void> }) {
  const [values, setValues] = useState<FormValues>(() => formValues(api.settings))
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [failure, setFailure] = useState<unknown>(undefined)
  const [status, setStatus] = useState('')
  const [busy, setBusy] = useState(false)

  // the settings were read again (after a save, or another change): show them
  useEffect(() => setValues(formValues(api.settings)), [api.settings])

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const changed = changedSettings(api.settings, values)
    setErrors({})
    setFailure(undefined)
    if (Object.keys(changed).length === 0) {
      setStatus('Nothing changed.')
      return
    }
    setBusy(true)
    setStatus('')
    try {
      await updateDataApi(target, changed)
      await onSaved()
      setStatus('Settings saved. They apply from the next request on.')
    } catch (err) {
      if (err instanceof ApiError && err.errors.length > 0) {
        const byField = fieldErrors(err.errors)
        setErrors(byField)
        if (byField['']) setFailure(new Error(byField['']))
      } else setFailure(err)
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="card" aria-labelledby="advanced-heading">
      <h2 id="advanced-heading" className="section-title">
        Advanced settings
      </h2>
      <form className="form" onSubmit={(e) => void submit(e)} noValidate>
        {ADVANCED_FIELDS.map((field) => (
          <SettingInput
            key={field.key}
            field={field}
            value={values[field.key] ?? ''}
            pinned={pinnedBy(api.setting_sources[field.key])}
            error={errors[field.key]}
            onChange={(v) => setValues((current) => ({ ...current, [field.key]: v }))}
          />
        ))}
        {failure !== undefined ? <ErrorNotice error={failure} /> : null}
        <div className="row">
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
          <p role="status" className="status-text">
            {status}
          </p>
        </div>
      </form>
    </section>
  )
}

function SettingInput({
  field,
  value,
  pinned,
  error,
  onChange,
}: {
  field: SettingField
  value: string | boolean
  pinned: string | undefined
  error: string | undefined
  onChange: (value: string | boolean) => void
}) {
  const id = useId()
  const help = pinned ? `${field.help} Set by ${pinned} on the server.` : field.help
  if (field.kind === 'flag') return <CheckField label={field.label} checked={value === true} onChange={onChange} help={help} error={error} disabled={pinned !== undefined} />
  if (field.kind === 'choice') {
    return (
      <div className="field">
        <label htmlFor={id} className="label">
          {field.label}
        </label>
        <select
          id={id}
          className="select"
          value={String(value)}
          disabled={pinned !== undefined}
          onChange={(e) => onChange(e.target.value)}
          aria-describedby={`${id}-help${error ? ` ${id}-error` : ''}`}
          aria-invalid={error ? true : undefined}
        >
          {field.choices?.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
        <p id={`${id}-help`} className="help">
          {help}
        </p>
        {error ? (
          <p id={`${id}-error`} className="field-error">
            {error}
          </p>
        ) : null}
      </div>
    )
  }
  return (
    <TextField
      label={field.label}
      value={String(value)}
      onChange={onChange}
      help={help}
      error={error}
      disabled={pinned !== undefined}
      inputMode={field.kind === 'optional-integer' ? 'numeric' : undefined}
    />
  )
}
