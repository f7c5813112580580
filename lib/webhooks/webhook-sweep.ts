import { SQS_MAX_DELAY_S } from '../aws/sqs-limits.js'
import type { Deps } from '../deps.js'
import { getJson, putJson } from '../store/json.js'
import { sweepKeys, webhookKeys } from '../store/keys.js'
import { isPreconditionFailed } from '../store/object-store.js'
import { outboxMessage } from './queue-messages.js'

/** An outbox record still there this long after it was written is enqueued once more (ms): its notification may be lost. */
export const STALE_AFTER_MS = 15 * 60_000
/** Each run starts this far before the last one's end (ms), for clock skew between S3 and functions. */
const OVERLAP_MS = 60_000

/** What one sweep did. */
export interface WebhookSweepResult {
  /** Parked events (webhooks/later/) due within 15 minutes, sent to the queue with DelaySeconds and unparked. */
  unparked: number
  /** Outbox records that became STALE_AFTER_MS old since the last run, sent once more. */
  stale: number
  /** LIST requests made. */
  lists: number
}

/**
 * The scheduled webhook sweep on AWS (every 5 minutes): sends to the webhook queue (1) every parked event
 * (sqs-webhooks.ts) due within SQS's 15-minute DelaySeconds, with that delay, then deletes its parking entry; and (2)
 * once, every outbox record that turned STALE_AFTER_MS old since the last run (S3 LastModified), in case its S3
 * notification was lost (S3 promises at-least-once, and does not promise that every notification arrives); the
 * consumer drops such a copy when the event was seen before (sqs-webhooks.ts). A cursor object keeps (2) to the
 * window since the last run. The first run sends every outbox record
 * older than STALE_AFTER_MS, which also picks up what a deployment before the queue existed left in the outbox.
 * @throws what the store or SQS throws; the cursor then stays, and the next run covers the same window.
 */
export async function sweepWebhooks(deps: Deps): Promise<WebhookSweepResult> {
  const now = deps.clock.now()
  let lists = 0
  const parked: string[] = []
  const messages: { body: string; delaySeconds: number }[] = []
  for (;;) {
    const page = await deps.store.list(webhookKeys.laterPrefix, { startAfter: parked.at(-1), limit: 1000 })
    lists++
    const due = page.filter((k) => (webhookKeys.parseLater(k)?.dueAtMs ?? Infinity) <= now + SQS_MAX_DELAY_S * 1000)
    for (const key of due) {
      const entry = await getJson<{ outboxKey: string }>(deps.store, key)
      if (!entry) continue
      const dueAtMs = webhookKeys.parseLater(key)!.dueAtMs
      messages.push({ body: outboxMessage(entry.value.outboxKey), delaySeconds: Math.max(0, Math.ceil((dueAtMs - now) / 1000)) })
    }
    parked.push(...due)
    if (page.length < 1000 || due.length < page.length) break
  }

  const found = await getJson<{ stale: string }>(deps.store, sweepKeys.webhooks)
  const from = found ? Date.parse(found.value.stale) - OVERLAP_MS : -Infinity
  const to = now - STALE_AFTER_MS
  const outbox = await deps.store.listEntries(webhookKeys.outboxPrefix)
  lists += Math.max(1, Math.ceil(outbox.length / 1000))
  const stale = outbox.filter((o) => o.lastModifiedMs > from && o.lastModifiedMs <= to)
  messages.push(...stale.map((o) => ({ body: outboxMessage(o.key, true), delaySeconds: 0 })))

  await deps.queue('webhooks').send(messages)
  for (const key of parked) await deps.store.delete(key)
  try {
    await putJson(deps.store, sweepKeys.webhooks, { stale: new Date(to).toISOString() }, found ? { ifMatch: found.etag } : { ifNoneMatch: '*' })
  } catch (err) {
    // A run that overlapped this one moved the cursor; its window covers ours.
    if (!isPreconditionFailed(err)) throw err
  }
  return { unparked: parked.length, stale: stale.length, lists }
}
