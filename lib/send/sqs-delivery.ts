import { SQS_HIDE_HORIZON_MS } from '../aws/sqs-limits.js'
import { eachRecord, type SqsBatchResponse, type SqsEvent, type SqsRecord } from '../aws/sqs-event.js'
import type { Deps } from '../deps.js'
import { newWorkerId } from '../worker-id.js'
import { deliverMessage, LEASE_MS } from './deliver.js'
import { planEntry, queueEntriesIn } from './sqs-messages.js'

/** How far ahead a received message may be hidden until its entry is due (ms); later entries are left to the sweep. */
export const DELIVERY_HORIZON_MS = SQS_HIDE_HORIZON_MS

/**
 * The delivery function on AWS: consumes batches of the delivery queue (S3 notifications of new `queue/` entries,
 * and the sweep's messages) and makes at most one attempt per due message, through deliverMessage (claimed by
 * compare-and-swap, so a duplicate message never sends twice). A message not yet due is hidden until it is
 * (ChangeMessageVisibility) and reported failed, so it stays; a message leased by another attempt comes back
 * after the lease. A body that names no queue entry, or an attempt that could not be recorded (a store failure),
 * is reported failed: SQS redelivers it, and after the queue's maxReceiveCount moves it to the dead-letter queue.
 * At most `relay.pool.maxConnections` records of a batch are attempted at once.
 */
export function createSqsDelivery(deps: Deps) {
  const owner = newWorkerId('worker')
  const concurrency = deps.config.relay?.pool.maxConnections ?? 5

  async function handle(record: SqsRecord): Promise<boolean> {
    const entries = queueEntriesIn(record.body)
    if (!entries) {
      deps.logger.error(
        { messageId: record.messageId, body: record.body.slice(0, 200) },
        'delivery queue message names no queue entry; left for the dead-letter queue',
      )
      return false
    }
    let hideS = 0
    for (const entry of entries) {
      const plan = planEntry(entry.dueAtMs, deps.clock.now(), DELIVERY_HORIZON_MS)
      if (plan.do === 'wait') hideS = hideS ? Math.min(hideS, plan.seconds) : plan.seconds
      if (plan.do !== 'attempt') continue
      const result = await deliverMessage(deps, entry.id, owner)
      if (result.attempted || result.reason === 'not_due') continue
      if (result.reason === 'leased') hideS = hideS ? Math.min(hideS, LEASE_MS / 1000) : LEASE_MS / 1000
      // An entry left by a crash after the final state, or whose request is gone, would otherwise come back forever.
      else await deps.store.delete(entry.key)
    }
    if (!hideS) return true
    await deps.queue('delivery').hide(record.receiptHandle, hideS)
    return false
  }

  return {
    /** One batch of the event source mapping; the answer lists the messages to keep (`batchItemFailures`). */
    handle: (event: SqsEvent): Promise<SqsBatchResponse> =>
      eachRecord(event.Records ?? [], concurrency, handle, (record, err) =>
        deps.logger.error({ err, messageId: record.messageId }, 'delivery attempt could not be recorded; SQS will redeliver it'),
      ),
  }
}
