import type { Deps } from '../deps.js'
import type { RecipientSuppression } from '../events/outbound-events.js'
import type { SequenceCounter } from '../events/outbox.js'
import type { AttemptOutcome } from './attempt-send.js'
import { recordMessageEvent } from './message-events.js'
import type { AcceptedRequest, MessageStatus } from './records.js'

/** What an attempt came to, as deliverMessage decided it. */
export interface AttemptSummary {
  attempt: number
  kind: Extract<MessageStatus, 'sent' | 'deferred' | 'failed'>
  reason: string | null
  outcome: AttemptOutcome
  /** Recipients the attempt was for (suppressed ones left out). */
  sendTo: string[]
  suppressed: RecipientSuppression[]
  nextAt: string | null
}

/** A refusal that retrying will not change: a 5yz reply, or a refusal decided before the wire. */
const permanent = (r: { reply: number | null; enhancedStatus?: string | null }) => (r.reply ?? 500) >= 500

/**
 * Records the outbound events of one attempt, in this order: `message.sent` for the recipients the relay took,
 * `message.deferred` for those to retry, `message.failed` for those that will never get it (every one when the
 * message failed, else those refused with 5yz). Each carries the attempt's SMTP reply; ids derive from the
 * attempt number, so a repeat after a crash records nothing new. Returns the counter (the message's sequence).
 */
export async function recordAttemptEvents(
  deps: Pick<Deps, 'store' | 'config' | 'events'>,
  counter: SequenceCounter,
  record: AcceptedRequest,
  a: AttemptSummary,
  at: number,
): Promise<SequenceCounter> {
  const o = a.outcome
  const common = {
    attempt: a.attempt,
    reply: o.reply,
    enhancedStatus: o.enhancedStatus,
    response: o.response,
    accepted: o.accepted,
    rejected: o.rejected.map((r) => ({ ...r, enhancedStatus: r.enhancedStatus ?? null })),
    suppressed: a.suppressed,
  }
  const subject = `attempt-${a.attempt}`
  if (o.accepted.length) await recordMessageEvent(deps, counter, record, 'message.sent', subject, { ...common, recipients: o.accepted }, at)
  if (a.kind === 'deferred') {
    const recipients = o.deferredRecipients.length ? o.deferredRecipients : a.sendTo.filter((r) => !o.accepted.includes(r))
    await recordMessageEvent(deps, counter, record, 'message.deferred', subject, { ...common, recipients, nextAttemptAt: a.nextAt }, at)
  }
  const failed =
    a.kind === 'failed'
      ? [...a.sendTo.filter((r) => !o.accepted.includes(r)), ...a.suppressed.map((s) => s.recipient)]
      : o.rejected.filter(permanent).map((r) => r.recipient)
  if (failed.length) {
    const reason = a.kind === 'failed' ? a.reason : 'rejected'
    await recordMessageEvent(deps, counter, record, 'message.failed', subject, { ...common, recipients: [...new Set(failed)], reason }, at)
  }
  return counter
}
