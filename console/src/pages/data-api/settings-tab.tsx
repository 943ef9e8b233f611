/** The "Settings" tab: Authentication, Advanced settings, and Disable Data API. */
import { useState } from 'react'
import { deleteDataApi, type DataApi, type Target } from '../../api/management'
import { ConfirmDialog } from '../../components/confirm-dialog'
import { AdvancedSettings } from './advanced-settings'
import { AuthProviders } from './auth-providers'

export function SettingsTab({
  target,
  api,
  onChanged,
  onDisabled,
}: {
  target: Target
  api: DataApi
  onChanged: () => Promise<void>
  onDisabled: () => void
}) {
  const [confirming, setConfirming] = useState(false)
  return (
    <div className="stack">
      <AuthProviders target={target} api={api} onChanged={onChanged} />
      <AdvancedSettings target={target} api={api} onSaved={onChanged} />
      <section className="card card-danger" aria-labelledby="disable-heading">
        <h2 id="disable-heading" className="section-title">
          Disable Data API
        </h2>
        <p>
          The API URL of <strong>{target.database}</strong> answers 404 at once, and its settings are forgotten. Tables, roles, grants and users stay; enabling it
          again starts from the default settings.
        </p>
        <div>
          <button type="button" className="button button-danger" onClick={() => setConfirming(true)}>
            Disable Data API
          </button>
        </div>
      </section>
      {confirming ? (
        <ConfirmDialog
          title="Disable the Data API?"
          confirmLabel="Disable"
          danger
          onConfirm={async () => {
            await deleteDataApi(target)
            onDisabled()
          }}
          onClose={() => setConfirming(false)}
        >
          <p>
            Apps using <span className="mono">{api.url}</span> stop working until it is enabled again.
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  )
}
