// Pure rules of webhook delivery through SQS (docs/deploy.md "Webhooks through SQS"), shared by the consumer and
// the stacks, so the concurrency the stacks reserve and the one the consumer keeps cannot disagree.
import { SQS_HIDE_HORIZON_MS } from '../aws/sqs-limits.js'
import type { EndpointState } from './event-delivery.js'

/**
 * A received message is set aside in the bucket (`webhooks/later/`) instead of hidden once it has been received
 * this often, so events that wait through many retries never reach the queue's maxReceiveCount (stacks/plan.ts
 * WEBHOOK_MAX_RECEIVES), which is kept for messages that cannot be handled at all.
 */
export const PARK_AFTER_RECEIVES = 5

/**
 * Attempts one consumer instance may have in flight per endpoint, so that `instances` of them together stay
 * within `webhookConcurrency` (the documented bound per endpoint): floor(webhookConcurrency / instances), at least 1
 * (then the bound is `instances`).
 */
export const attemptsPerInstance = (webhookConcurrency: number, instances: number) => Math.max(1, Math.floor(webhookConcurrency / instances))

/** When an event next needs a look (ms since the epoch): the earliest retry or claim end among its endpoints; null when all are final. */
export function wakeAt(states: EndpointState[]): number | null {
  let at: number | null = null
  for (const s of states) {
    const t = s.state === 'pending' ? s.nextAttemptAt : s.state === 'leased' ? s.until : null
    if (t !== null && (at === null || t < at)) at = t
  }
  return at
}

/**
 * What becomes of a received message whose events next need a look at `wake`: `done` (delete it), `hide` it for
 * `seconds` (ChangeMessageVisibility, within SQS's 12 hours), or `park` it until `dueAtMs` (the sweep enqueues it
 * again) when that is further ahead than SQS can hide it or the message was received PARK_AFTER_RECEIVES times.
 */
export function planMessage(
  wake: number | null,
  nowMs: number,
  receiveCount: number,
): { do: 'done' } | { do: 'hide'; seconds: number } | { do: 'park'; dueAtMs: number } {
  if (wake === null) return { do: 'done' }
  if (wake - nowMs > SQS_HIDE_HORIZON_MS || receiveCount >= PARK_AFTER_RECEIVES) return { do: 'park', dueAtMs: wake }
  return { do: 'hide', seconds: Math.max(1, Math.ceil((wake - nowMs) / 1000)) }
}
