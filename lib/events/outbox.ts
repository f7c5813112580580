import type { WebhookEndpoint } from '../config/webhook-endpoint.js'
import type { Deps } from '../deps.js'
import { getJson, putJson } from '../store/json.js'
import { webhookKeys } from '../store/keys.js'
import { isPreconditionFailed } from '../store/object-store.js'
import { parseSource, type EventSource, type EventType } from './event-types.js'
import type { MailboxResetData, MessageReceivedRef } from './inbound-events.js'

/**
 * One recorded event (the outbox record of the webhook job, and the line of the event log). `data` is what the
 * payload carries: for `message.received` a reference to the stored document (the payload is built from it at
 * delivery time); for every other type the event's data itself (docs/events.md).
 */
export interface EventRecord<T extends EventType = EventType, D = unknown> {
  /** Standard Webhooks `webhook-id` (lib/events/event-id.ts); deterministic, so a repeat carries the same id. */
  id: string
  type: T
  /** lib/events/event-types.ts EventSource: `mailbox:<id>`, `message:<id>` or `system`. */
  source: EventSource
  /** Per source, from 1, in the order events were recorded; gaps are possible, never reuse. */
  sequence: number
  /** ISO 8601 UTC; the payload's `timestamp`. */
  createdAt: string
  /** For mailbox events: the mailbox id (kept from before sources existed; the same as the source's id). */
  mailbox?: string
  data: D
}

/** An event of a mailbox source, with its data typed by its type. */
export type MailboxEventRecord = EventRecord<'message.received', MessageReceivedRef> | EventRecord<'mailbox.reset', MailboxResetData>

export type NewEvent<T extends EventType = EventType, D = unknown> = Omit<EventRecord<T, D>, 'sequence'>

/** Where a source keeps its last sequence number: the mailbox state, the message state... Updated in place. */
export interface SequenceCounter {
  sequence: number
}

/** The mailbox an event is about, or null: endpoints may be limited to some mailboxes (`mailboxes`). */
export function mailboxOf(record: Pick<EventRecord, 'source' | 'mailbox'>): string | null {
  if (record.mailbox) return record.mailbox
  const s = parseSource(record.source)
  return s.kind === 'mailbox' ? s.id : null
}

/** Whether an endpoint takes this event: its type is subscribed, and a mailbox event is from one of its mailboxes. */
export function subscribes(ep: WebhookEndpoint, record: Pick<EventRecord, 'type' | 'source' | 'mailbox'>): boolean {
  if (!ep.eventTypes.includes(record.type)) return false
  const mailbox = mailboxOf(record)
  return !ep.mailboxes || mailbox === null || ep.mailboxes.includes(mailbox)
}

/**
 * Records `event` under its source's next sequence number (`counter.sequence + 1`), create-only, and sets
 * `counter.sequence`; the caller saves the counter afterwards. A record already at that number with the same id is a
 * repeat after a crash and is reused; one with another id (recorded by a run that crashed before its counter was
 * saved) keeps its number and this event takes the next.
 *
 * Mailbox events are always written: they anchor the mailbox's crash recovery (docs/inbound.md). Outbound and system
 * events are written only when some configured endpoint subscribes to them; the counter moves either way. Every
 * recorded event is then told to `deps.events` listeners (the local dispatcher, the event log).
 * @throws whatever the store throws.
 */
export async function recordEvent<T extends EventType, D>(
  deps: Pick<Deps, 'store' | 'config' | 'events'>,
  counter: SequenceCounter,
  event: NewEvent<T, D>,
): Promise<EventRecord<T, D>> {
  const written = parseSource(event.source).kind === 'mailbox' || deps.config.webhooks.some((ep) => subscribes(ep, event))
  let record: EventRecord<T, D> | null = null
  for (let sequence = counter.sequence + 1; !record; sequence++) {
    const candidate = { ...event, sequence } as EventRecord<T, D>
    if (!written) {
      record = candidate
      break
    }
    const key = webhookKeys.outboxFor(event.source, sequence)
    try {
      await putJson(deps.store, key, candidate, { ifNoneMatch: '*' })
      record = candidate
    } catch (err) {
      if (!isPreconditionFailed(err)) throw err
      const existing = await getJson<EventRecord<T, D>>(deps.store, key)
      if (existing?.value.id === event.id) record = existing.value
    }
  }
  counter.sequence = record.sequence
  deps.events.emit(record)
  return record
}
