import { eachRecord, type SqsBatchResponse, type SqsEvent, type SqsRecord } from '../aws/sqs-event.js'
import type { Deps } from '../deps.js'
import { clearPollFailure, recordPollFailure } from './poll-backoff.js'
import { pollAndRecord } from './last-poll.js'
import { POLL_BATCH } from './poll-schedule.js'
import type { PollRequest } from './poll-tick.js'

/** The poll request in a poll-queue message body; null when the body is not one (a poisoned message). */
export function pollRequestIn(body: string): PollRequest | null {
  try {
    const r = JSON.parse(body)
    if (typeof r?.mailbox !== 'string' || typeof r?.due !== 'string') return null
    return Number.isInteger(r.failures) && r.failures > 0 ? { mailbox: r.mailbox, due: r.due, failures: r.failures } : { mailbox: r.mailbox, due: r.due }
  } catch {
    return null
  }
}

/**
 * The poll function on AWS: polls each mailbox a batch of the poll queue names, under the mailbox lease (a poll
 * that finds the lease held is skipped). A mailbox's own failure (refused login, unreachable server) is logged,
 * starts or lengthens its error backoff (poll-backoff.ts; the tick skips it meanwhile) and is counted done: a
 * dead-letter queue of broken passwords would help nobody; a success ends the backoff. A
 * mailbox no longer in the config is skipped with a warning. Only a body that is not a poll request is reported
 * in batchItemFailures (and so reaches the dead-letter queue).
 */
export function createPollConsumer(deps: Deps) {
  async function handle(record: SqsRecord): Promise<boolean> {
    const req = pollRequestIn(record.body)
    if (!req) {
      deps.logger.error(
        { messageId: record.messageId, body: record.body.slice(0, 200) },
        'poll queue message is not a poll request; left for the dead-letter queue',
      )
      return false
    }
    const mb = deps.config.mailboxes.find((m) => m.id === req.mailbox)
    if (!mb) {
      deps.logger.warn({ mailbox: req.mailbox }, 'poll request for a mailbox no longer configured; skipped')
      return true
    }
    const s = await pollAndRecord(deps, mb)
    if (s.error) {
      const b = await recordPollFailure(deps, mb.id, req.failures ?? 0, s.error.message)
      deps.logger.error({ mailbox: s.mailbox, err: s.error.message, consecutiveFailures: b.failures, retryAt: b.retryAt }, 'poll failed; backing off')
    } else {
      if (req.failures && !s.busy) await clearPollFailure(deps, mb.id)
      deps.logger.info({ ...s, error: undefined, due: req.due }, 'poll done')
    }
    return true
  }
  return {
    handle: (event: SqsEvent): Promise<SqsBatchResponse> =>
      eachRecord(event.Records ?? [], POLL_BATCH, handle, (record, err) => deps.logger.error({ err, messageId: record.messageId }, 'poll record failed')),
  }
}
