import { parseBody, s3NotificationKeys } from '../aws/s3-notification.js'
import { webhookKeys } from '../store/keys.js'

/**
 * What the sweep sends to the webhook queue for one outbox record: a parked event coming due, or (`stale`) a record
 * still in the outbox 15 minutes after it was written, whose S3 notification may have been lost.
 */
export const outboxMessage = (key: string, stale = false) => JSON.stringify(stale ? { outboxKey: key, stale: true } : { outboxKey: key })

/** The outbox records one webhook-queue message names; `stale` for the sweep's copy of a record that may never have been seen. */
export interface WebhookMessage {
  keys: string[]
  stale: boolean
}

/**
 * Reads a webhook-queue message body: an S3 event notification of new outbox records, the test event S3 sends when
 * notifications are set up (no keys), or the sweep's `{ "outboxKey": key }`. `null` for a body that is none of
 * these, or names a key outside the outbox: a poisoned message, which retries cannot fix.
 */
export function webhookMessageIn(body: string): WebhookMessage | null {
  const msg = parseBody(body) as { outboxKey?: unknown; stale?: unknown } | undefined
  const keys = typeof msg?.outboxKey === 'string' ? [msg.outboxKey] : s3NotificationKeys(msg)
  return keys && keys.every(webhookKeys.isOutboxKey) ? { keys, stale: msg?.stale === true } : null
}
