import { createHash } from 'node:crypto'

/**
 * Postern id of a received message: `m` + the first 32 hex digits (128 bits) of SHA-256 over the raw bytes.
 * The same message yields the same id under any UID, UIDVALIDITY or UIDL, so a resync or a client's re-upload
 * of a stored message is recognised; its Message-ID header is part of the hashed bytes.
 */
export const inboundMessageId = (raw: Buffer) => inboundMessageIdOfDigest(createHash('sha256').update(raw).digest('hex'))

/** The same id from the SHA-256 of the raw bytes (lower-case hex), for a message hashed while it streamed. */
export const inboundMessageIdOfDigest = (sha256Hex: string) => `m${sha256Hex.slice(0, 32)}`

/**
 * Webhook event id (the Standard Webhooks `webhook-id`): `msg_` + 32 hex digits of SHA-256 over the mailbox, the
 * event type and what the event is about, so a repeat after a crash carries the same id.
 */
export const webhookEventId = (mailbox: string, type: string, subject: string) =>
  `msg_${createHash('sha256').update(`${mailbox}\n${type}\n${subject}`).digest('hex').slice(0, 32)}`
