import pLimit, { type LimitFunction } from 'p-limit'
import { eachRecord, type SqsBatchResponse, type SqsEvent, type SqsRecord } from '../aws/sqs-event.js'
import type { Deps } from '../deps.js'
import { subscribes, type EventRecord } from '../events/outbox.js'
import { getJson, putJson } from '../store/json.js'
import { webhookKeys } from '../store/keys.js'
import { loadEndpointHealth, type EndpointHealthHandle } from './endpoint-health.js'
import { createEventDelivery, emptySummary, type EndpointState, type EventDeliveryContext } from './event-delivery.js'
import { webhookMessageIn, type WebhookMessage } from './queue-messages.js'
import { attemptsPerInstance, planMessage, wakeAt } from './sqs-plan.js'

/** What the Lambda adapter knows of the invocation. */
export interface BatchOptions {
  /** ms left before the function's timeout (Lambda's `context.getRemainingTimeInMillis`); unbounded when absent. */
  timeLeftMs?: () => number
}

/** Time kept after an attempt's own limit before the function's timeout, to record its outcome (ms). */
const RECORD_MARGIN_MS = 10_000

/**
 * The webhook function on AWS: consumes batches of the webhook queue (S3 notifications of new outbox records, and
 * the sweep's messages) and delivers each named event to its subscribed endpoints through event-delivery.ts (the
 * same claims, retries and dead letters as locally). Per batch, each endpoint gets at most
 * attemptsPerInstance(...) attempts in flight, so all instances together keep `inbound.webhookConcurrency`; once an
 * attempt to an endpoint fails, the batch's other events for it are put off until that retry, so a dead endpoint
 * costs one round of timeouts per batch, not one per event. A message whose events wait for a retry is hidden until
 * then (ChangeMessageVisibility) and reported in `batchItemFailures`; beyond SQS's 12 hours, or after
 * PARK_AFTER_RECEIVES receives, it is parked under `webhooks/later/` for the sweep. The sweep's copy of a record
 * that lingered 15 minutes is dropped when the event was handled before (it has its own message). A body that names no outbox
 * record, or an event that cannot be handled (a store error), is reported failed: SQS redelivers it, and after the
 * queue's maxReceiveCount it moves to the dead-letter queue.
 */
export function createSqsWebhooks(deps: Deps) {
  const { config, logger, store } = deps
  const delivery = createEventDelivery(deps)
  const perEndpoint = attemptsPerInstance(config.inbound.webhookConcurrency, config.aws.webhookConsumers)

  /** One batch's view of the endpoints: health read once, attempts bounded, and put off after a failure. */
  function batchContext(opts: BatchOptions): EventDeliveryContext {
    const healths = new Map<string, Promise<EndpointHealthHandle>>()
    const limits = new Map<string, LimitFunction>()
    const failedUntil = new Map<string, number>()
    return {
      summary: emptySummary(),
      health(ep) {
        if (!healths.has(ep.id)) healths.set(ep.id, loadEndpointHealth(deps, ep))
        return healths.get(ep.id)!
      },
      schedule(ep, attempt) {
        if (!limits.has(ep.id)) limits.set(ep.id, pLimit(perEndpoint))
        return limits.get(ep.id)!(async (): Promise<EndpointState> => {
          const until = failedUntil.get(ep.id)
          if (until !== undefined) return { state: 'pending', nextAttemptAt: until, attempted: false }
          // Too little time left for an attempt and its record: the message comes back at once for the next batch.
          if ((opts.timeLeftMs?.() ?? Infinity) < ep.timeoutMs + RECORD_MARGIN_MS)
            return { state: 'pending', nextAttemptAt: deps.clock.now(), attempted: false }
          const s = await attempt()
          if (s.state === 'pending' && s.attempted && !failedUntil.has(ep.id)) failedUntil.set(ep.id, s.nextAttemptAt)
          return s
        })
      },
    }
  }

  /** Whether a consumer has handled `record` before: some subscribed endpoint has its delivery record. */
  async function seenBefore(record: EventRecord): Promise<boolean> {
    const targets = config.webhooks.filter((ep) => subscribes(ep, record))
    const found = await Promise.all(targets.map((ep) => store.get(webhookKeys.delivery(ep.id, record.id))))
    return found.some((f) => f !== null)
  }

  async function handle(record: SqsRecord, msg: WebhookMessage, ctx: EventDeliveryContext): Promise<boolean> {
    const waiting: { key: string; eventId: string; wake: number }[] = []
    for (const key of msg.keys) {
      const found = await getJson<EventRecord>(store, key)
      if (!found) continue // delivered and removed already (this message is a duplicate), or never written
      // The sweep's copy of a record waiting for a retry: its own message (hidden, or parked) brings it back.
      if (msg.stale && (await seenBefore(found.value))) continue
      const result = await delivery.deliverEvent(found.value, ctx)
      const wake = wakeAt(Object.values(result.endpoints))
      if (wake !== null) waiting.push({ key, eventId: found.value.id, wake })
    }
    const now = deps.clock.now()
    const plan = planMessage(waiting.length ? Math.min(...waiting.map((w) => w.wake)) : null, now, Number(record.attributes.ApproximateReceiveCount))
    if (plan.do === 'done') return true
    if (plan.do === 'hide') {
      await deps.queue('webhooks').hide(record.receiptHandle, plan.seconds)
      return false
    }
    for (const w of waiting) await putJson(store, webhookKeys.later(w.wake, w.eventId), { outboxKey: w.key })
    logger.info(
      { messageId: record.messageId, events: waiting.map((w) => w.eventId), dueAt: new Date(plan.dueAtMs).toISOString() },
      'webhook events parked for the sweep',
    )
    return true
  }

  return {
    /** One batch of the event source mapping; the answer lists the messages to keep (`batchItemFailures`). */
    async handle(event: SqsEvent, opts: BatchOptions = {}): Promise<SqsBatchResponse> {
      const ctx = batchContext(opts)
      const parsed = new Map((event.Records ?? []).map((r) => [r.messageId, webhookMessageIn(r.body)]))
      // Outbox keys sort by source, then sequence: attempts start in the order events were recorded, where they can.
      const first = (r: SqsRecord) => parsed.get(r.messageId)?.keys[0] ?? ''
      const records = [...(event.Records ?? [])].sort((a, b) => (first(a) < first(b) ? -1 : first(a) > first(b) ? 1 : 0))
      const response = await eachRecord(
        records,
        records.length,
        async (r) => {
          const msg = parsed.get(r.messageId)
          if (msg) return handle(r, msg, ctx)
          logger.error({ messageId: r.messageId, body: r.body.slice(0, 200) }, 'webhook queue message names no outbox record; left for the dead-letter queue')
          return false
        },
        (r, err) => logger.error({ err, messageId: r.messageId }, 'webhook event could not be handled; SQS will redeliver it'),
      )
      logger.info({ records: records.length, kept: response.batchItemFailures.length, ...ctx.summary }, 'webhook batch')
      return response
    },
  }
}
