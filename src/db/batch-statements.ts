/**
 * What both backends send for a Batch, in order, as one batch of statements with a single Sync.
 *
 * Without a check, the batch is one implicit transaction, over at the Sync whatever happened: reads
 * first make it read-only (`SET TRANSACTION` would warn outside a transaction block; setting the GUC
 * behind it, transaction-locally, does the same without a warning: writes fail with SQLSTATE 25006),
 * then the request context, db-pre-request and the main statement. A request context that sets the
 * GUC itself saves that statement (about 15 % of Postgres's work on a read by key). With a check, the
 * batch opens an explicit transaction (BEGIN [READ ONLY]) that the caller ends with COMMIT or ROLLBACK
 * once the check has seen the main statement's rows.
 */
import type { Batch } from './database.js'

export type BatchStatement = Readonly<{ text: string; values: readonly unknown[]; keepRows: boolean }>

const READ_ONLY: BatchStatement = { text: "select set_config('transaction_read_only', 'on', true)", values: [], keepRows: false }
const BEGIN: BatchStatement = { text: 'BEGIN', values: [], keepRows: false }
const BEGIN_READ_ONLY: BatchStatement = { text: 'BEGIN READ ONLY', values: [], keepRows: false }

/** The statements of `batch`, the main one (whose rows are kept) last. */
export function batchStatements(batch: Batch): BatchStatement[] {
  const first = batch.check ? (batch.readOnly ? BEGIN_READ_ONLY : BEGIN) : batch.readOnly && !batch.env.setsReadOnly ? READ_ONLY : undefined
  return [
    ...(first ? [first] : []),
    { text: batch.env.text, values: batch.env.values, keepRows: false },
    // db-pre-request runs between the context and the main statement, still in the one round trip
    ...(batch.preRequest ? [{ text: batch.preRequest.text, values: batch.preRequest.values, keepRows: false }] : []),
    { text: batch.main.text, values: batch.main.values, keepRows: true },
  ]
}
