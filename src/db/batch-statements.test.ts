import { describe, expect, it } from 'vitest'
import { batchStatements } from './batch-statements.js'

const env = { text: 'select set_config($1, $2, true)', values: ['a', 'b'] }
const main = { text: 'select 1', values: [] }
const texts = (statements: ReturnType<typeof batchStatements>) => statements.map((s) => s.text)

describe('batchStatements', () => {
  it('makes a read read-only with its own statement when the request context does not', () => {
    expect(texts(batchStatements({ env, main, readOnly: true }))).toEqual(["select set_config('transaction_read_only', 'on', true)", env.text, main.text])
  })

  it('leaves it to a request context that sets it', () => {
    expect(texts(batchStatements({ env: { ...env, setsReadOnly: true }, main, readOnly: true }))).toEqual([env.text, main.text])
  })

  it('opens an explicit transaction when the caller checks the rows, read-only for reads', () => {
    const check = () => 'commit' as const
    expect(texts(batchStatements({ env: { ...env, setsReadOnly: true }, main, readOnly: true, check }))).toEqual(['BEGIN READ ONLY', env.text, main.text])
    expect(texts(batchStatements({ env, main, readOnly: false, check }))).toEqual(['BEGIN', env.text, main.text])
  })

  it('runs db-pre-request between the context and the main statement, keeping only the main rows', () => {
    const preRequest = { text: 'select "api"."pre"()', values: [] }
    const statements = batchStatements({ env, preRequest, main, readOnly: false })
    expect(texts(statements)).toEqual([env.text, preRequest.text, main.text])
    expect(statements.map((s) => s.keepRows)).toEqual([false, false, true])
  })
})
