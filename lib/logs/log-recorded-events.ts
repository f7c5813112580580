import type { EventBus } from '../events/bus.js'
import type { MessageReceivedRef } from '../events/inbound-events.js'
import type { EventRecord } from '../events/outbox.js'
import type { InboundMessage } from '../normalize/inbound-message.js'
import { getJson } from '../store/json.js'
import type { ObjectStore } from '../store/object-store.js'
import type { EventLog } from './event-log.js'
import { lineFromEvent, type ReceivedSummary } from './event-log-line.js'

/** From, subject and To + Cc of a stored inbound document; null when it cannot be read (the line is logged without). */
async function receivedSummary(store: ObjectStore, docKey: string): Promise<ReceivedSummary | null> {
  try {
    const doc = (await getJson<InboundMessage>(store, docKey))?.value
    if (!doc) return null
    return { from: doc.from[0]?.address ?? null, subject: doc.subject, recipients: [...doc.to, ...doc.cc].map((a) => a.address) }
  } catch {
    return null
  }
}

/**
 * Logs every event recorded in this process (deps.events) to `log`. A `message.received` line carries the From,
 * Subject and recipients of its stored document (one read). Returns the unsubscribe function.
 */
export function logRecordedEvents(events: EventBus, store: ObjectStore, log: EventLog): () => void {
  return events.subscribe((record: EventRecord) => {
    if (record.type !== 'message.received') return log.append(lineFromEvent(record))
    log.append(receivedSummary(store, (record.data as MessageReceivedRef).docKey).then((s) => lineFromEvent(record, s)))
  })
}
