import { z } from 'zod'

/**
 * Every event type Postern records and delivers (docs/events.md). Inbound: `message.received`, `mailbox.reset`.
 * Outbound, about a message sent through the API: `message.sent` (the relay answered 2xx at the end of DATA),
 * `message.deferred` (4xx, a timeout or a dropped connection; retried), `message.failed` (5xx, retries exhausted,
 * or every recipient suppressed), `message.bounced` (an asynchronous bounce, RFC 3464, linked to the message),
 * `message.complained` (an RFC 5965 feedback report linked to the message), `message.canceled`.
 */
export const EVENT_TYPES = [
  'message.received',
  'mailbox.reset',
  'message.sent',
  'message.deferred',
  'message.failed',
  'message.bounced',
  'message.complained',
  'message.canceled',
] as const
export const EventType = z.enum(EVENT_TYPES)
export type EventType = z.infer<typeof EventType>

/** The outbound event types: their source is one message, their data an OutboundEventData. */
export const OUTBOUND_EVENT_TYPES = ['message.sent', 'message.deferred', 'message.failed', 'message.bounced', 'message.complained', 'message.canceled'] as const
export type OutboundEventType = (typeof OUTBOUND_EVENT_TYPES)[number]

export const isEventType = (t: string): t is EventType => (EVENT_TYPES as readonly string[]).includes(t)

/**
 * Where an event comes from; each source numbers its events from 1 in the order they were recorded (`sequence`).
 * A polled mailbox (`mailbox:<id>`), one outbound message (`message:<Postern id>`: its attempts, bounces and
 * complaints), or the gateway itself (`system`).
 */
export type EventSource = `mailbox:${string}` | `message:${string}` | 'system'

export const mailboxSource = (mailbox: string): EventSource => `mailbox:${mailbox}`
export const messageSource = (id: string): EventSource => `message:${id}`

/** The parts of a source string: its kind and id (`''` for `system`). */
export function parseSource(source: string): { kind: 'mailbox' | 'message' | 'system'; id: string } {
  if (source === 'system') return { kind: 'system', id: '' }
  const colon = source.indexOf(':')
  const kind = source.slice(0, colon)
  if (kind !== 'mailbox' && kind !== 'message') throw new Error(`not an event source: ${JSON.stringify(source)}`)
  return { kind, id: source.slice(colon + 1) }
}
