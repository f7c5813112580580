import type { WebhookEndpoint } from '../config/webhook-endpoint.js'
import type { Deps } from '../deps.js'
import { subscribes, type EventRecord } from '../events/outbox.js'
import { getJson, putJson } from '../store/json.js'
import { webhookKeys } from '../store/keys.js'
import { isPreconditionFailed } from '../store/object-store.js'
import { lineFromWebhookAttempt } from '../logs/event-log-line.js'
import { newWorkerId, workerIsGone } from '../worker-id.js'
import { attemptDelivery, bodyFor } from './attempt.js'
import { retryDelayMs, type AttemptOutcome } from './classify.js'
import { deliveryIndexWrites, deliveryStatus } from './delivery-index.js'
import { attemptsCounted, freshDelivery, type AttemptLog, type DeliveryRecord } from './delivery-record.js'
import type { EndpointHealthHandle } from './endpoint-health.js'
import { buildPayload, type WebhookPayload } from './payload.js'

/** Counts of one delivery run (or one batch): attempts made and what they came to. */
export interface DeliveryRunSummary {
  attempted: number
  delivered: number
  retried: number
  deadLettered: number
}

export const emptySummary = (): DeliveryRunSummary => ({ attempted: 0, delivered: 0, retried: 0, deadLettered: 0 })

export const addSummaries = (a: DeliveryRunSummary, b: DeliveryRunSummary): DeliveryRunSummary => ({
  attempted: a.attempted + b.attempted,
  delivered: a.delivered + b.delivered,
  retried: a.retried + b.retried,
  deadLettered: a.deadLettered + b.deadLettered,
})

/**
 * Where one (endpoint, event) delivery stands after a call (times in ms since the epoch): `final` (delivered,
 * dead-lettered, or nothing to send in the endpoint's format), `pending` until its next attempt is due (`attempted`:
 * this call made an attempt, and it failed), or `leased` by another worker attempting it now.
 */
export type EndpointState = { state: 'final' } | { state: 'pending'; nextAttemptAt: number; attempted: boolean } | { state: 'leased'; until: number }

/** One recorded event after deliverEvent: its state per subscribed endpoint id, and whether it left the outbox. */
export interface EventDeliveryResult {
  /** Every subscribed endpoint is final (none subscribed: at once); the outbox record was deleted. */
  done: boolean
  endpoints: Record<string, EndpointState>
}

/** How deliverEvent reaches each endpoint: its health for this run, and how its attempt is run. */
export interface EventDeliveryContext {
  health(ep: WebhookEndpoint): Promise<EndpointHealthHandle>
  /** Runs `attempt` for `ep`, or answers in its place (to bound attempts per endpoint, or to put one off). */
  schedule(ep: WebhookEndpoint, attempt: () => Promise<EndpointState>): Promise<EndpointState>
  summary: DeliveryRunSummary
}

/** How long past an attempt's own time limit its claim lasts (ms): another worker takes over only after that. */
const CLAIM_MARGIN_MS = 30_000
/** Payloads kept between endpoints and runs, so a message.received document is not rebuilt for each. */
const PAYLOAD_CACHE = 32

/** `45 s`, `12 min`, `30 h`: how long something has lasted, for people. */
const duration = (ms: number) =>
  ms < 120_000 ? `${Math.round(ms / 1000)} s` : ms < 7_200_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 3_600_000)} h`

/** An attempt that failed before anything was sent (its payload could not be built): retried like any failure. */
const failedBeforeSending = (n: number, now: number, reason: string): [AttemptOutcome, AttemptLog] => [
  { kind: 'retry', status: null, reason, retryAfterMs: null },
  { attempt: n, at: new Date(now).toISOString(), status: null, latencyMs: 0, outcome: 'retry', reason, responseHead: '' },
]

/** What the event log says of one attempt: its facts and what the delivery came to. */
const attemptFacts = (endpoint: string, event: EventRecord, log: AttemptLog, status: DeliveryRecord['status']) => ({
  endpoint,
  event,
  attempt: log.attempt,
  at: log.at,
  httpStatus: log.status,
  durationMs: log.latencyMs,
  reason: log.reason,
  responseHead: log.responseHead,
  status: status === 'delivered' ? ('succeeded' as const) : status === 'dead' ? ('dead' as const) : ('failed' as const),
})

/** Records written before sources existed name only their mailbox. */
export const withSource = (r: EventRecord): EventRecord => ({ ...r, source: r.source ?? `mailbox:${r.mailbox}` })

/**
 * Delivery of recorded events (lib/events/outbox.ts), signed per Standard Webhooks (or as Resend signs, for
 * `format: "resend"`), with retries and backoff (classify.ts), dead letters, and endpoint disabling on 410 or
 * sustained failure. Each attempt is made under a claim on its delivery record (compare-and-swap), so overlapping
 * runs, in one process or several, and duplicate queue messages attempt each (endpoint, event) once at a time.
 * Used by the local loop (dispatcher.ts) and the SQS consumer (sqs-webhooks.ts).
 */
export function createEventDelivery(deps: Deps) {
  const { store, logger, config } = deps
  const owner = newWorkerId('webhooks')
  const payloads = new Map<string, Promise<WebhookPayload>>()

  function payloadOf(record: EventRecord): Promise<WebhookPayload> {
    let p = payloads.get(record.id)
    if (!p) {
      p = buildPayload({ store, urlFor: (k, s) => store.urlFor(k, s) }, config.inbound, record)
      p.catch(() => payloads.delete(record.id))
      payloads.set(record.id, p)
      if (payloads.size > PAYLOAD_CACHE) payloads.delete(payloads.keys().next().value!)
    }
    return p
  }

  /** The body `ep` gets for `record`; `skip` when its format has no such event, `error` when it cannot be built. */
  async function bodyOf(ep: WebhookEndpoint, record: EventRecord): Promise<{ text: string } | { skip: string } | { error: string }> {
    try {
      const text = bodyFor(ep, record, await payloadOf(record))
      return text === null ? { skip: `no ${ep.format} event for ${record.type}` } : { text }
    } catch (err) {
      logger.error({ endpoint: ep.id, eventId: record.id, err }, 'webhook payload could not be built')
      return { error: `payload: ${(err as Error).message}` }
    }
  }

  async function deadLetter(ep: WebhookEndpoint, record: EventRecord, d: DeliveryRecord, reason: string) {
    d.status = 'dead'
    d.deadReason = reason
    await putJson(store, webhookKeys.deadLetter(ep.id, record.id), { endpointId: ep.id, reason, event: record, attempts: d.attempts })
    logger.warn({ endpoint: ep.id, eventId: record.id, type: record.type, reason }, 'webhook dead-lettered')
  }

  /** What an attempt's outcome does to the delivery: delivered, dead-lettered, or retried later. */
  async function settle(
    ep: WebhookEndpoint,
    health: EndpointHealthHandle,
    record: EventRecord,
    d: DeliveryRecord,
    outcome: AttemptOutcome,
    log: AttemptLog,
    summary: DeliveryRunSummary,
  ) {
    if (outcome.kind === 'delivered') {
      d.status = 'delivered'
      summary.delivered++
      await health.succeeded()
      return
    }
    if (outcome.kind === 'gone') {
      await health.disable(log.at, 'the endpoint answered 410 Gone')
      await deadLetter(ep, record, d, 'the endpoint answered 410 Gone')
      summary.deadLettered++
      return
    }
    await health.failed(log.at)
    const now = deps.clock.now()
    const counted = attemptsCounted(d)
    const next = now + retryDelayMs(counted, ep.retry, deps.random, outcome.retryAfterMs)
    if (counted >= ep.retry.maxAttempts) {
      await deadLetter(ep, record, d, `${counted} attempts failed; last: ${outcome.reason}`)
      summary.deadLettered++
    } else if (next - (d.firstAttemptAt ?? now) > ep.retry.maxWindowMs) {
      await deadLetter(ep, record, d, `still failing ${duration(now - (d.firstAttemptAt ?? now))} after the first attempt; last: ${outcome.reason}`)
      summary.deadLettered++
    } else {
      d.nextAttemptAt = next
      summary.retried++
    }
  }

  /** One event to one endpoint: claim its delivery record, attempt if it is due, record the outcome. */
  async function toEndpoint(ep: WebhookEndpoint, health: EndpointHealthHandle, record: EventRecord, summary: DeliveryRunSummary): Promise<EndpointState> {
    const now = deps.clock.now()
    const key = webhookKeys.delivery(ep.id, record.id)
    const current = await getJson<DeliveryRecord>(store, key)
    const d = current?.value ?? freshDelivery(ep.id, record)
    if (d.status !== 'pending') return { state: 'final' }
    if (d.nextAttemptAt > now && !health.disabled) return { state: 'pending', nextAttemptAt: d.nextAttemptAt, attempted: false }
    if (d.lease && d.lease.until > now && !workerIsGone(d.lease.owner)) return { state: 'leased', until: d.lease.until }
    let etag: string
    const until = now + ep.timeoutMs + CLAIM_MARGIN_MS
    try {
      const claim = { ...d, lease: { owner, until } }
      // A new record is listed (the index) before it exists; a claim changes no status, so needs no index write.
      if (!current) await deliveryIndexWrites(store, null, claim).prepare()
      etag = (await putJson(store, key, claim, current ? { ifMatch: current.etag, durable: false } : { ifNoneMatch: '*', durable: false })).etag
    } catch (err) {
      if (isPreconditionFailed(err)) return { state: 'leased', until } // another worker claimed it first
      throw err
    }
    const statusBefore = deliveryStatus(d)
    d.lease = null
    let attempted = false
    if (health.disabled) {
      await deadLetter(ep, record, d, `endpoint disabled: ${health.disabled.reason}`)
      summary.deadLettered++
    } else {
      const body = await bodyOf(ep, record)
      if ('skip' in body) {
        d.status = 'delivered' // nothing to send in this endpoint's format: done with it
        d.deadReason = body.skip
      } else {
        const n = d.attempts.length + 1
        const [outcome, log] = 'error' in body ? failedBeforeSending(n, now, body.error) : await attemptDelivery(deps, ep, record.id, body.text, n)
        logger.info({ endpoint: ep.id, eventId: record.id, type: record.type, ...log }, 'webhook attempt')
        d.attempts.push(log)
        d.firstAttemptAt ??= Date.parse(log.at)
        summary.attempted++
        attempted = true
        await settle(ep, health, record, d, outcome, log, summary)
        deps.eventLog.append(lineFromWebhookAttempt(attemptFacts(ep.id, record, log, d.status)))
      }
    }
    const index = deliveryIndexWrites(store, statusBefore, d)
    try {
      await index.prepare()
      await putJson(store, key, d, { ifMatch: etag })
      await index.commit()
    } catch (err) {
      if (!isPreconditionFailed(err)) throw err
      logger.warn({ endpoint: ep.id, eventId: record.id }, 'a webhook claim ran out before its attempt was recorded; another worker may repeat it')
    }
    return d.status === 'pending' ? { state: 'pending', nextAttemptAt: d.nextAttemptAt, attempted } : { state: 'final' }
  }

  /**
   * Delivers ONE recorded event to every endpoint that subscribes to it, each through `ctx.schedule` (all endpoints
   * at once), and deletes its outbox record when every one of them is final. Repeating it is harmless: a final
   * delivery is not attempted again, and a claimed one is left to its claimant (`leased`).
   * @throws what the store throws (the event stays in the outbox; a later call goes on from its delivery records).
   */
  async function deliverEvent(recorded: EventRecord, ctx: EventDeliveryContext): Promise<EventDeliveryResult> {
    const record = withSource(recorded)
    const targets = config.webhooks.filter((ep) => subscribes(ep, record))
    const states = await Promise.all(targets.map(async (ep) => ctx.schedule(ep, async () => toEndpoint(ep, await ctx.health(ep), record, ctx.summary))))
    const endpoints = Object.fromEntries(targets.map((ep, i) => [ep.id, states[i]]))
    const done = states.every((s) => s.state === 'final')
    if (done) {
      await store.delete(webhookKeys.outboxFor(record.source, record.sequence))
      payloads.delete(record.id)
    }
    return { done, endpoints }
  }

  return {
    toEndpoint,
    deliverEvent,
    /** Forgets the cached payload of an event (its outbox record is gone). */
    forget: (eventId: string) => void payloads.delete(eventId),
  }
}
export type EventDelivery = ReturnType<typeof createEventDelivery>
