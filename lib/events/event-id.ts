import { createHash } from 'node:crypto'
import { parseSource, type EventSource } from './event-types.js'

/**
 * The Standard Webhooks `webhook-id` of an event: `msg_` + 32 hex digits of SHA-256 over what the event is: its
 * source, type and subject (the inbound message id, the attempt number, the recipient...). Deterministic, so a
 * repeat after a crash, or the same bounce polled twice, carries the same id. Mailbox events hash the bare mailbox
 * id, as they always have, so ids recorded before sources existed stay the same.
 */
export function eventIdFor(source: EventSource, type: string, subject: string): string {
  const { kind, id } = parseSource(source)
  const scope = kind === 'mailbox' ? id : source
  return `msg_${createHash('sha256').update(`${scope}\n${type}\n${subject}`).digest('hex').slice(0, 32)}`
}
