/**
 * Messages between the primary of `serve --workers N` and its workers are plain objects told apart
 * by their `type`. This makes the check that a message is of one type.
 */
export function isMessageOfType<T extends Readonly<{ type: string }>>(type: T['type']): (message: unknown) => message is T {
  return (message: unknown): message is T =>
    typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type
}
