import type { EventBus } from '../events/bus.js'
import type { MessageReceivedRef } from '../events/inbound-events.js'
import type { EventRecord } from '../events/outbox.js'
import { parseSource } from '../events/event-types.js'
import { getJson } from '../store/json.js'
import { inboundIndexKeys } from '../store/keys.js'
import type { ObjectStore } from '../store/object-store.js'
import type { EventLog } from './event-log.js'
import { lineFromEvent, type ReceivedSummary } from './event-log-line.js'
import { inboundTail, type InboundSummary } from './inbound-index.js'

/**
 * From, subject and To + Cc of a received message, from its small index summary (lib/logs/inbound-index.ts: two
 * reads of a few hundred bytes, never the whole document); null when it cannot be read (the line is logged without).
 */
async function receivedSummary(store: ObjectStore, mailbox: string, id: string): Promise<ReceivedSummary | null> {
  try {
    const receivedAt = (await store.get(inboundIndexKeys.id(id, mailbox)))?.body.toString('utf8')
    if (!receivedAt) return null
    const summary = (await getJson<InboundSummary>(store, inboundIndexKeys.entry(inboundIndexKeys.all, inboundTail(receivedAt, id, mailbox))))?.value
    return summary ? { from: summary.from[0] ?? null, subject: summary.subject, recipients: [...summary.to, ...summary.cc] } : null
  } catch {
    return null
  }
}

/**
 * Logs every event recorded in this process (deps.events) to `log`. A `message.received` line carries the From,
 * Subject and recipients of its index summary (two small reads). Returns the unsubscribe function.
 */
export function logRecordedEvents(events: EventBus, store: ObjectStore, log: EventLog): () => void {
  return events.subscribe((record: EventRecord) => {
    if (record.type !== 'message.received') return log.append(lineFromEvent(record))
    const mailbox = record.mailbox ?? parseSource(record.source).id
    log.append(receivedSummary(store, mailbox, (record.data as MessageReceivedRef).messageId).then((s) => lineFromEvent(record, s)))
  })
}
