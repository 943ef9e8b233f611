/**
 * Tabs as the ARIA pattern has them: a tablist whose tabs move with the arrow keys, Home and End,
 * one tab in the Tab order, each panel labelled by its tab.
 */
import { useId, useRef, type KeyboardEvent, type ReactNode } from 'react'

export type Tab = Readonly<{ id: string; label: string; content: () => ReactNode }>

export function Tabs({ tabs, selected, onSelect, label }: { tabs: readonly Tab[]; selected: string; onSelect: (id: string) => void; label: string }) {
  const base = useId()
  const refs = useRef(new Map<string, HTMLButtonElement>())
  const current = tabs.find((t) => t.id === selected) ?? tabs[0]!

  const onKeyDown = (event: KeyboardEvent) => {
    const i = tabs.findIndex((t) => t.id === current.id)
    const next =
      event.key === 'ArrowRight' ? tabs[(i + 1) % tabs.length]
      : event.key === 'ArrowLeft' ? tabs[(i - 1 + tabs.length) % tabs.length]
      : event.key === 'Home' ? tabs[0]
      : event.key === 'End' ? tabs[tabs.length - 1]
      : undefined
    if (!next) return
    event.preventDefault()
    onSelect(next.id)
    refs.current.get(next.id)?.focus()
  }

  return (
    <div className="tabs">
      <div role="tablist" aria-label={label} className="tablist" onKeyDown={onKeyDown}>
        {tabs.map((t) => (
          <button
            key={t.id}
            ref={(el) => {
              if (el) refs.current.set(t.id, el)
              else refs.current.delete(t.id)
            }}
            type="button"
            role="tab"
            id={`${base}-tab-${t.id}`}
            aria-selected={t.id === current.id}
            aria-controls={`${base}-panel-${t.id}`}
            tabIndex={t.id === current.id ? 0 : -1}
            className="tab"
            onClick={() => onSelect(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${base}-panel-${current.id}`} aria-labelledby={`${base}-tab-${current.id}`} className="tabpanel" tabIndex={0}>
        {current.content()}
      </div>
    </div>
  )
}
