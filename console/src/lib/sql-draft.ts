/** The SQL Editor's text per database, kept in the browser so it survives a reload (and so other pages can hand it SQL). */
const DRAFT_KEY = 'data-api-console:sql-draft:'

function storage(): Storage | undefined {
  try {
    return window.localStorage
  } catch {
    return undefined
  }
}

export function loadDraft(database: string): string | undefined {
  try {
    return storage()?.getItem(DRAFT_KEY + database) ?? undefined
  } catch {
    return undefined
  }
}

export function saveDraft(database: string, text: string): void {
  try {
    storage()?.setItem(DRAFT_KEY + database, text)
  } catch {
    // storage full or off: the draft lives while the page does
  }
}
