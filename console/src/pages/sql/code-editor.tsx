/**
 * The SQL editor: CodeMirror 6 with PostgreSQL highlighting and completion of the database's
 * tables and columns, Ctrl/Cmd+Enter to run, and a mark on the spot an error points at.
 *
 * It lives in a shadow root: there CodeMirror puts its styles in a constructed stylesheet instead
 * of a <style> element, which the console's Content-Security-Policy (style-src 'self') would refuse.
 * Tab moves focus on, as everywhere else; the editor does not capture it.
 */
import { autocompletion, closeBrackets, closeBracketsKeymap, closeCompletion, completionKeymap } from '@codemirror/autocomplete'
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands'
import { PostgreSQL, sql, type SQLNamespace } from '@codemirror/lang-sql'
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language'
import { Compartment, EditorState, Prec, StateEffect, StateField } from '@codemirror/state'
import { Decoration, drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers, type DecorationSet } from '@codemirror/view'
import { useEffect, useImperativeHandle, useRef, type Ref } from 'react'
import type { TextRange } from '../../lib/error-range'

export type CodeEditorHandle = Readonly<{
  /** the selection when there is one, else the whole text, and where it begins */
  runnable: () => Readonly<{ sql: string; offset: number }>
  text: () => string
  setText: (text: string) => void
  /** marks the range of an error (undefined: clears it) and scrolls to it */
  markError: (range: TextRange | undefined) => void
  focus: () => void
}>

const setError = StateEffect.define<TextRange | undefined>()
const errorMark = Decoration.mark({ class: 'cm-sql-error' })
const errorLine = Decoration.line({ class: 'cm-sql-error-line' })

const errorField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, tr) {
    for (const effect of tr.effects) {
      if (!effect.is(setError)) continue
      const range = effect.value
      if (!range) return Decoration.none
      const from = Math.min(range.from, tr.state.doc.length)
      const to = Math.min(Math.max(range.to, from), tr.state.doc.length)
      const line = tr.state.doc.lineAt(from)
      return Decoration.set([errorLine.range(line.from), ...(to > from ? [errorMark.range(from, to)] : [])], true)
    }
    // an edit makes the old position meaningless
    return tr.docChanged ? Decoration.none : marks
  },
  provide: (field) => EditorView.decorations.from(field),
})

const theme = EditorView.theme({
  '&': { fontSize: '14px', backgroundColor: '#fff', border: '1px solid #cbd5e1', borderRadius: '8px', minHeight: '220px' },
  '&.cm-focused': { outline: '2px solid #0f766e', outlineOffset: '1px' },
  '.cm-scroller': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace', lineHeight: '1.5', minHeight: '220px', maxHeight: '60vh' },
  '.cm-content': { padding: '8px 0' },
  '.cm-gutters': { backgroundColor: '#f8fafc', color: '#64748b', borderRight: '1px solid #e2e8f0', borderRadius: '8px 0 0 8px' },
  '.cm-activeLine': { backgroundColor: '#f0fdfa' },
  '.cm-activeLineGutter': { backgroundColor: '#ccfbf1' },
  '.cm-sql-error': { textDecoration: 'underline wavy #dc2626', backgroundColor: '#fee2e2' },
  '.cm-sql-error-line': { backgroundColor: '#fef2f2' },
  '.cm-tooltip-autocomplete': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace' },
})

export function CodeEditor({
  ref,
  initial,
  schema,
  onRun,
  onChange,
}: {
  ref: Ref<CodeEditorHandle>
  initial: string
  /** tables and columns for completion */
  schema: SQLNamespace
  onRun: () => void
  onChange: (text: string) => void
}) {
  const host = useRef<HTMLDivElement>(null)
  const view = useRef<EditorView | undefined>(undefined)
  const language = useRef(new Compartment())
  const handlers = useRef({ onRun, onChange })
  handlers.current = { onRun, onChange }

  useEffect(() => {
    const element = host.current!
    const root = element.shadowRoot ?? element.attachShadow({ mode: 'open' })
    const editor = new EditorView({
      root,
      parent: root,
      state: EditorState.create({
        doc: initial,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          history(),
          drawSelection(),
          indentOnInput(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          bracketMatching(),
          closeBrackets(),
          autocompletion(),
          highlightActiveLine(),
          Prec.highest(
            keymap.of([
              {
                key: 'Mod-Enter',
                run: () => {
                  handlers.current.onRun()
                  return true
                },
              },
            ]),
          ),
          keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap]),
          language.current.of(sql({ dialect: PostgreSQL })),
          errorField,
          theme,
          EditorView.contentAttributes.of({ 'aria-label': 'SQL' }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) handlers.current.onChange(update.state.doc.toString())
          }),
        ],
      }),
    })
    view.current = editor
    return () => {
      editor.destroy()
      view.current = undefined
    }
    // the editor is created once; later text comes through setText, so `initial` is read only here
  }, [])

  useEffect(() => {
    view.current?.dispatch({ effects: language.current.reconfigure(sql({ dialect: PostgreSQL, schema, defaultSchema: 'public' })) })
  }, [schema])

  useImperativeHandle(
    ref,
    () => ({
      runnable: () => {
        // a run answers the text as it is: a completion still offered would only cover the results
        closeCompletion(view.current!)
        const state = view.current!.state
        const { from, to } = state.selection.main
        return from === to ? { sql: state.doc.toString(), offset: 0 } : { sql: state.sliceDoc(from, to), offset: from }
      },
      text: () => view.current?.state.doc.toString() ?? '',
      setText: (text) => {
        const v = view.current
        if (!v) return
        v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text }, selection: { anchor: text.length } })
        v.focus()
      },
      markError: (range) => {
        const v = view.current
        if (!v) return
        v.dispatch({
          effects: range ? [setError.of(range), EditorView.scrollIntoView(Math.min(range.from, v.state.doc.length), { y: 'center' })] : [setError.of(undefined)],
        })
      },
      focus: () => view.current?.focus(),
    }),
    [],
  )

  return <div ref={host} className="code-editor" />
}
