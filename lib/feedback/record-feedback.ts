import type { Deps } from '../deps.js'
import { eventIdFor } from '../events/event-id.js'
import { messageSource } from '../events/event-types.js'
import type { BounceInfo, ComplaintInfo } from '../events/outbound-events.js'
import { recordMessageEvent, type EventFacts } from '../send/message-events.js'
import { updateMessageState } from '../send/message-state.js'
import { statusAfterBounces, type AcceptedRequest, type FeedbackEntry, type MessageState } from '../send/records.js'
import { addSuppression, suppressionAddress, suppressionScope, type SuppressionReason } from '../suppressions/suppression.js'

/** Complaint types that do not mean "stop sending to me". */
const NOT_SUPPRESSING = new Set(['auth-failure', 'not-spam'])

/**
 * Writes one feedback entry (a bounce or a complaint of one recipient) on the message's state with the event id and
 * sequence its event will have, then records that event at that sequence. The state comes first: a repeat (the same
 * report again, or after a crash between the two) finds the entry and only makes sure its event is recorded, under
 * the same id, so each (message, recipient, kind) is announced once.
 */
async function recordFeedback<T extends BounceInfo | ComplaintInfo>(
  deps: Deps,
  record: AcceptedRequest,
  recipient: string,
  field: 'bounces' | 'complaints',
  info: T,
  eventSubject: string,
  keep: (previous: FeedbackEntry<T>) => boolean,
  factsOf: (data: T) => Omit<EventFacts, 'recipients'>,
  apply: (st: MessageState) => void = () => {},
): Promise<{ entry: FeedbackEntry<T>; fresh: boolean }> {
  const type = field === 'bounces' ? 'message.bounced' : 'message.complained'
  const eventId = eventIdFor(messageSource(record.id), type, eventSubject)
  const res = await updateMessageState(deps, record.id, (st) => {
    const entries = (st[field] ?? {}) as unknown as Record<string, FeedbackEntry<T>>
    const previous = entries[recipient]
    if (previous && (previous.eventId === eventId || keep(previous))) return null
    const sequence = (st.sequence ?? 0) + 1
    st.sequence = sequence
    ;(st as unknown as Record<string, unknown>)[field] = { ...entries, [recipient]: { ...info, eventId, sequence } }
    apply(st)
    return st
  })
  if (!res) throw new Error(`message ${record.id} has no state to record feedback on`)
  const entry = ((res.after ?? res.before)[field] as unknown as Record<string, FeedbackEntry<T>>)[recipient]
  if (entry.eventId !== eventId) return { entry, fresh: false }
  const { eventId: _id, sequence, ...data } = entry
  const facts = factsOf(data as unknown as T)
  await recordMessageEvent(deps, { sequence: sequence - 1 }, record, type, eventSubject, { recipients: [recipient], ...facts }, Date.parse(info.receivedAt))
  return { entry, fresh: res.after !== null }
}

async function suppress(deps: Deps, record: AcceptedRequest, recipient: string, reason: SuppressionReason, detail: string | null, reportId: string | null) {
  const address = suppressionAddress(recipient)
  if (!address) return
  const scope = suppressionScope(deps.config, record.request.from.address)
  await addSuppression(deps, { address, scope, reason, createdAt: new Date(deps.clock.now()).toISOString(), messageId: record.id, reportId, detail })
}

/**
 * Records a bounce of `recipient` on its message: a hard bounce is kept over any later soft one, suppresses the
 * address, and makes a `sent` message `bounced` once every recipient the relay accepted has bounced hard; a soft
 * bounce (a delay) changes no status.
 */
export async function recordBounce(deps: Deps, record: AcceptedRequest, recipient: string, info: BounceInfo): Promise<void> {
  const { fresh } = await recordFeedback(
    deps,
    record,
    recipient,
    'bounces',
    info,
    `bounce:${recipient}:${info.type}`,
    (previous) => previous.type === 'hard',
    (b) => ({ bounce: b, enhancedStatus: b.status, response: b.diagnosticCode }),
    (st) => {
      st.status = statusAfterBounces(st)
    },
  )
  if (info.type === 'hard' && fresh) await suppress(deps, record, recipient, 'hard_bounce', info.diagnosticCode ?? info.status, info.reportId)
}

/** Records a complaint of `recipient` on its message and suppresses the address (not for auth-failure or not-spam). */
export async function recordComplaint(deps: Deps, record: AcceptedRequest, recipient: string, info: ComplaintInfo): Promise<void> {
  const { fresh } = await recordFeedback(
    deps,
    record,
    recipient,
    'complaints',
    info,
    `complaint:${recipient}`,
    () => false,
    (c) => ({ complaint: c }),
  )
  if (fresh && !NOT_SUPPRESSING.has(info.feedbackType ?? '')) await suppress(deps, record, recipient, 'complaint', info.feedbackType, info.reportId)
}
