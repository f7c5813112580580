import type { Deps } from '../deps.js'
import { eventIdFor } from '../events/event-id.js'
import { messageSource, type OutboundEventType } from '../events/event-types.js'
import { OUTBOUND_EVENT_SCHEMA_VERSION, type OutboundEventData } from '../events/outbound-events.js'
import { recordEvent, type EventRecord, type SequenceCounter } from '../events/outbox.js'
import type { AcceptedRequest } from './records.js'

/** What one event says beyond the message's own facts. */
export type EventFacts = Partial<
  Omit<OutboundEventData, 'schemaVersion' | 'id' | 'messageId' | 'createdAt' | 'from' | 'to' | 'cc' | 'subject' | 'tags' | 'metadata'>
> &
  Pick<OutboundEventData, 'recipients'>

/** The data of an outbound event: the message's facts (ids, addresses, subject, tags, metadata) and `facts`. */
export function outboundEventData(record: AcceptedRequest, facts: EventFacts): OutboundEventData {
  const r = record.request
  return {
    schemaVersion: OUTBOUND_EVENT_SCHEMA_VERSION,
    id: record.id,
    messageId: record.messageId,
    createdAt: record.createdAt,
    from: r.from.address,
    to: r.to.map((m) => m.address),
    cc: (r.cc ?? []).map((m) => m.address),
    subject: r.subject,
    recipients: facts.recipients,
    attempt: facts.attempt ?? null,
    reply: facts.reply ?? null,
    enhancedStatus: facts.enhancedStatus ?? null,
    response: facts.response ?? null,
    accepted: facts.accepted ?? [],
    rejected: facts.rejected ?? [],
    suppressed: facts.suppressed ?? [],
    nextAttemptAt: facts.nextAttemptAt ?? null,
    reason: facts.reason ?? null,
    bounce: facts.bounce ?? null,
    complaint: facts.complaint ?? null,
    tags: r.tags ?? [],
    metadata: r.metadata ?? {},
  }
}

/**
 * Records one event of a message (source `message:<id>`) with a deterministic id from `subject` (`attempt-3`,
 * `bounce:<recipient>`...), so repeating it after a crash, or seeing the same bounce twice, yields the same
 * `webhook-id`. `counter` is the message state (its `sequence`); the caller writes the state afterwards.
 */
export function recordMessageEvent(
  deps: Pick<Deps, 'store' | 'config' | 'events'>,
  counter: SequenceCounter,
  record: AcceptedRequest,
  type: OutboundEventType,
  subject: string,
  facts: EventFacts,
  at: number,
): Promise<EventRecord> {
  const source = messageSource(record.id)
  return recordEvent(deps, counter, {
    id: eventIdFor(source, type, subject),
    type,
    source,
    createdAt: new Date(at).toISOString(),
    data: outboundEventData(record, facts),
  })
}
