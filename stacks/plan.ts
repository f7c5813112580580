// Pure sizing rules the stacks apply to the stage config, kept apart from SST so tests can check them.
import { POLL_BATCH } from '../lib/inbound/poll-schedule.js'

/** Delivery function: one attempt's time limit is the function timeout (s); SQS hides a batch 6× that (AWS's advice for SQS sources). */
export const DELIVERY_TIMEOUT_S = 120
export const DELIVERY_VISIBILITY_S = 6 * DELIVERY_TIMEOUT_S
/** Poll function: a poll of a large mailbox may take the whole 15 minutes Lambda allows. */
export const POLL_TIMEOUT_S = 900
export const POLL_VISIBILITY_S = 6 * POLL_TIMEOUT_S
/** Receives before a message goes to the dead-letter queue: one to wait until due, one per lease wait, some store failures. */
export const DELIVERY_MAX_RECEIVES = 10
export const POLL_MAX_RECEIVES = 3
export { POLL_BATCH }

/**
 * Webhook function: a batch of 10 events, each endpoint's attempts bounded per instance (timeoutMs each, 15 s by
 * default); the consumer starts no attempt it cannot finish before the timeout. SQS hides a batch 6× that.
 */
export const WEBHOOK_TIMEOUT_S = 300
export const WEBHOOK_VISIBILITY_S = 6 * WEBHOOK_TIMEOUT_S
/**
 * Receives before a webhook message goes to the dead-letter queue. Messages that wait through retries are parked
 * after PARK_AFTER_RECEIVES (5) receives and come back as new messages, so only messages that cannot be handled
 * (a poisoned body, a store failing each time) reach it.
 */
export const WEBHOOK_MAX_RECEIVES = 10
export const WEBHOOK_BATCH = 10

/**
 * Delivery instances allowed at once so that instances × `relay.pool.maxConnections` stays within
 * `aws.relayConnections`: the function's reserved concurrency. At least 1.
 */
export const deliveryInstances = (relayConnections: number, poolMaxConnections: number) => Math.max(1, Math.floor(relayConnections / poolMaxConnections))

/** Poll instances allowed at once, each polling up to POLL_BATCH mailboxes: `aws.pollers` in all. */
export const pollInstances = (pollers: number) => Math.max(1, Math.ceil(pollers / POLL_BATCH))

/**
 * The SQS event source's `maximumConcurrency`: the reserved concurrency, but at least 2, the smallest SQS allows.
 * With one reserved instance the second is throttled and its batch retried, which DELIVERY_MAX_RECEIVES absorbs.
 */
export const sourceConcurrency = (instances: number) => Math.max(2, instances)

/**
 * IAM resource patterns for `ssm:GetParameter` on the parameters the stage config names: one per parameter folder
 * (`/postern/prod/a` -> `arn:aws:ssm:*:*:parameter/postern/prod/*`), so 10,000 mailbox passwords in one folder are
 * one statement, not 10,000 ARNs in a role policy capped at 10,240 characters. Full ARNs are kept as given.
 */
export function ssmGrantPatterns(names: string[]): string[] {
  const out = new Set<string>()
  for (const n of names) {
    if (n.startsWith('arn:')) out.add(n)
    else {
      const path = n.startsWith('/') ? n : `/${n}`
      out.add(`arn:aws:ssm:*:*:parameter${path.slice(0, path.lastIndexOf('/') + 1)}*`)
    }
  }
  return [...out].sort()
}
