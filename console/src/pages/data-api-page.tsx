/**
 * The Data API page: the enable form while the database's Data API is off (get_data_api answers
 * 404), else the "API" and "Settings" tabs.
 */
import { useState } from 'react'
import { ApiError } from '../api/client'
import { getDataApi, type Target } from '../api/management'
import { ErrorNotice, Loading, Notice } from '../components/status'
import { Tabs } from '../components/tabs'
import { useResource } from '../components/use-resource'
import { ApiTab } from './data-api/api-tab'
import { EnableForm } from './data-api/enable-form'
import { SettingsTab } from './data-api/settings-tab'

type Loaded = Readonly<{ enabled: true; api: Awaited<ReturnType<typeof getDataApi>> }> | Readonly<{ enabled: false; reason: string }>

export function DataApiPage({ target }: { target: Target }) {
  const [tab, setTab] = useState('api')
  const [notice, setNotice] = useState<string | undefined>(undefined)
  const state = useResource<Loaded>(
    () =>
      getDataApi(target).then(
        (api) => ({ enabled: true, api }),
        (err: unknown) => {
          if (err instanceof ApiError && err.status === 404) return { enabled: false, reason: err.message }
          throw err
        },
      ),
    [target.project, target.database],
  )

  if (state.state === 'failed') return <ErrorNotice title="The Data API’s state could not be read" error={state.error} onRetry={() => void state.reload()} />
  if (!state.data) return <Loading label="Loading the Data API…" />

  const loaded = state.data
  if (!loaded.enabled) {
    return (
      <EnableForm
        target={target}
        onEnabled={(message) => {
          setNotice(message)
          setTab('api')
          void state.reload()
        }}
      />
    )
  }
  return (
    <>
      {notice ? (
        <Notice kind="success" live>
          {notice}
        </Notice>
      ) : null}
      <Tabs
        label="Data API"
        selected={tab}
        onSelect={setTab}
        tabs={[
          { id: 'api', label: 'API', content: () => <ApiTab target={target} api={loaded.api} onShowSettings={() => setTab('settings')} /> },
          {
            id: 'settings',
            label: 'Settings',
            content: () => (
              <SettingsTab
                target={target}
                api={loaded.api}
                onChanged={() => state.reload()}
                onDisabled={() => {
                  setNotice(undefined)
                  void state.reload()
                }}
              />
            ),
          },
        ]}
      />
    </>
  )
}
