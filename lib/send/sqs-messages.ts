import { parseBody, s3NotificationKeys } from '../aws/s3-notification.js'
import { queueKeys } from '../store/keys.js'

/** What the sweep sends to the delivery queue for one queue entry. */
export const sweepMessage = (key: string) => JSON.stringify({ queueEntry: key })

/**
 * The queue entries one delivery-queue message names: an S3 event notification (S3 → SQS, keys URL-encoded with
 * `+` for a space, AWS S3 User Guide "Event message structure"), the test event S3 sends when notifications are
 * set up (none), or the sweep's `{ "queueEntry": key }`. `null` for a body that is none of these, or names a key
 * that is not a queue entry: a poisoned message, which retries cannot fix.
 */
export function queueEntriesIn(body: string): { dueAtMs: number; id: string; key: string }[] | null {
  const msg = parseBody(body) as { queueEntry?: unknown } | undefined
  const keys = typeof msg?.queueEntry === 'string' ? [msg.queueEntry] : s3NotificationKeys(msg)
  if (!keys) return null
  const entries = keys.map((key) => ({ key, parsed: queueKeys.parse(key) }))
  if (entries.some((e) => !e.parsed)) return null
  return entries.map((e) => ({ ...e.parsed!, key: e.key }))
}

/**
 * What to do with one queue entry received at `nowMs`: attempt it, hide its message until it is due (at most
 * `horizonMs` ahead, within SQS's 12-hour visibility limit), or let it go and leave it to the sweep, which enqueues
 * it again once it is due within the horizon.
 */
export function planEntry(dueAtMs: number, nowMs: number, horizonMs: number): { do: 'attempt' } | { do: 'wait'; seconds: number } | { do: 'leave' } {
  if (dueAtMs <= nowMs) return { do: 'attempt' }
  if (dueAtMs - nowMs > horizonMs) return { do: 'leave' }
  return { do: 'wait', seconds: Math.ceil((dueAtMs - nowMs) / 1000) }
}
