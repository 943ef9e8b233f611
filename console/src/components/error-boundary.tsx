/**
 * Catches what a page throws while rendering (an answer of an unexpected shape, a bug), so the rest
 * of the console stays usable: the page shows the error and a way to try again.
 */
import { Component, type ReactNode } from 'react'
import { ErrorNotice } from './status'

type State = Readonly<{ error: unknown }>

export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: undefined }

  static getDerivedStateFromError(error: unknown): State {
    return { error }
  }

  override render(): ReactNode {
    if (this.state.error === undefined) return this.props.children
    return <ErrorNotice title="This page failed to show" error={this.state.error} onRetry={() => this.setState({ error: undefined })} />
  }
}
