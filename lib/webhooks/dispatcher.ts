import type { WebhookEndpoint } from '../config/webhook-endpoint.js'
import type { Deps } from '../deps.js'
import { subscribes, type EventRecord } from '../events/outbox.js'
import { getJson, putJson } from '../store/json.js'
import { webhookKeys } from '../store/keys.js'
import { isPreconditionFailed } from '../store/object-store.js'
import { newWorkerId, workerIsGone } from '../worker-id.js'
import { attemptDelivery, bodyFor } from './attempt.js'
import { retryDelayMs, type AttemptOutcome } from './classify.js'
import { freshDelivery, type AttemptLog, type DeliveryRecord } from './delivery-record.js'
import { loadEndpointHealth, type EndpointHealthHandle } from './endpoint-health.js'
import { buildPayload, type WebhookPayload } from './payload.js'

export type { AttemptLog, DeliveryRecord } from './delivery-record.js'
export type { EndpointHealth } from './endpoint-health.js'

export interface DeliveryRunSummary {
  attempted: number
  delivered: number
  retried: number
  deadLettered: number
}

/** How long past an attempt's own time limit its claim lasts (ms): another worker takes over only after that. */
const CLAIM_MARGIN_MS = 30_000
/** Payloads kept between endpoints and runs, so a message.received document is not rebuilt for each. */
const PAYLOAD_CACHE = 32

/** `45 s`, `12 min`, `30 h`: how long something has lasted, for people. */
const duration = (ms: number) =>
  ms < 120_000 ? `${Math.round(ms / 1000)} s` : ms < 7_200_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 3_600_000)} h`

const emptySummary = (): DeliveryRunSummary => ({ attempted: 0, delivered: 0, retried: 0, deadLettered: 0 })

/** An attempt that failed before anything was sent (its payload could not be built): retried like any failure. */
const failedBeforeSending = (n: number, now: number, reason: string): [AttemptOutcome, AttemptLog] => [
  { kind: 'retry', status: null, reason, retryAfterMs: null },
  { attempt: n, at: new Date(now).toISOString(), status: null, latencyMs: 0, outcome: 'retry', reason, responseHead: '' },
]

/**
 * Delivers recorded events (the outbox, lib/events/outbox.ts) to every subscribed endpoint, signed per Standard
 * Webhooks (or as Resend signs, for `format: "resend"`), with retries and backoff (classify.ts), dead letters, and
 * endpoint disabling on 410 or sustained failure. Each endpoint runs on its own, so a slow or dead endpoint delays only
 * itself. Each attempt is made under a claim on its delivery record (compare-and-swap), so overlapping runs, in one
 * process or several, attempt each (endpoint, event) once at a time. An event leaves the outbox when every subscribed
 * endpoint has delivered or dead-lettered it; its delivery records stay as the log.
 */
export function createWebhookDispatcher(deps: Deps) {
  const { store, logger, config } = deps
  const owner = newWorkerId('webhooks')
  const records = new Map<string, EventRecord>()
  const final = new Set<string>()
  // When each pending delivery is next due, so a backlog behind a failing endpoint is not re-read every run.
  const dueAt = new Map<string, number>()
  const running = new Map<string, Promise<DeliveryRunSummary>>()
  const payloads = new Map<string, Promise<WebhookPayload>>()
  const finalKey = (endpointId: string, eventId: string) => `${endpointId}\n${eventId}`

  async function loadOutbox(): Promise<EventRecord[]> {
    const keys = await store.list(webhookKeys.outboxPrefix)
    const live = new Set(keys)
    for (const k of records.keys()) if (!live.has(k)) records.delete(k)
    for (const k of keys) {
      if (records.has(k)) continue
      const r = await getJson<EventRecord>(store, k)
      // Records written before sources existed name only their mailbox.
      if (r) records.set(k, { ...r.value, source: r.value.source ?? `mailbox:${r.value.mailbox}` })
    }
    return keys.filter((k) => records.has(k)).map((k) => records.get(k)!)
  }

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
    const next = now + retryDelayMs(d.attempts.length, ep.retry, deps.random, outcome.retryAfterMs)
    if (d.attempts.length >= ep.retry.maxAttempts) {
      await deadLetter(ep, record, d, `${d.attempts.length} attempts failed; last: ${outcome.reason}`)
      summary.deadLettered++
    } else if (next - (d.firstAttemptAt ?? now) > ep.retry.maxWindowMs) {
      await deadLetter(ep, record, d, `still failing ${duration(now - (d.firstAttemptAt ?? now))} after the first attempt; last: ${outcome.reason}`)
      summary.deadLettered++
    } else {
      d.nextAttemptAt = next
      summary.retried++
    }
  }

  /** One event to one endpoint: claim its delivery record, attempt, record the outcome. */
  async function deliverOne(ep: WebhookEndpoint, health: EndpointHealthHandle, record: EventRecord, summary: DeliveryRunSummary) {
    const fk = finalKey(ep.id, record.id)
    const now = deps.clock.now()
    if ((dueAt.get(fk) ?? 0) > now && !health.disabled) return
    const key = webhookKeys.delivery(ep.id, record.id)
    const current = await getJson<DeliveryRecord>(store, key)
    const d = current?.value ?? freshDelivery(ep.id, record)
    const done = () => {
      final.add(fk)
      dueAt.delete(fk)
    }
    if (d.status !== 'pending') return done()
    if (d.nextAttemptAt > now && !health.disabled) return void dueAt.set(fk, d.nextAttemptAt)
    if (d.lease && d.lease.until > now && !workerIsGone(d.lease.owner)) return
    let etag: string
    try {
      const claim = { ...d, lease: { owner, until: now + ep.timeoutMs + CLAIM_MARGIN_MS } }
      etag = (await putJson(store, key, claim, current ? { ifMatch: current.etag, durable: false } : { ifNoneMatch: '*', durable: false })).etag
    } catch (err) {
      if (isPreconditionFailed(err)) return // another worker claimed it first
      throw err
    }
    d.lease = null
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
        await settle(ep, health, record, d, outcome, log, summary)
      }
    }
    try {
      await putJson(store, key, d, { ifMatch: etag })
    } catch (err) {
      if (!isPreconditionFailed(err)) throw err
      logger.warn({ endpoint: ep.id, eventId: record.id }, 'a webhook claim ran out before its attempt was recorded; another worker may repeat it')
    }
    if (d.status !== 'pending') done()
    else dueAt.set(fk, d.nextAttemptAt)
  }

  async function runEndpoint(ep: WebhookEndpoint): Promise<DeliveryRunSummary> {
    const summary = emptySummary()
    const health = await loadEndpointHealth(deps, ep)
    const due = (await loadOutbox()).filter((r) => subscribes(ep, r) && !final.has(finalKey(ep.id, r.id)))
    let next = 0
    // A few attempts in flight per endpoint; consumers order events by `sequence`, not by arrival.
    const worker = async () => {
      while (next < due.length && summary.attempted < config.inbound.webhookBatch) await deliverOne(ep, health, due[next++], summary)
    }
    await Promise.all(Array.from({ length: config.inbound.webhookConcurrency }, worker))
    await sweep()
    return summary
  }

  /** Removes outbox records every subscribed endpoint is done with (none subscribed: done at once). */
  async function sweep() {
    for (const [key, record] of records) {
      if (config.webhooks.every((ep) => !subscribes(ep, record) || final.has(finalKey(ep.id, record.id)))) {
        await store.delete(key)
        records.delete(key)
        payloads.delete(record.id)
        for (const ep of config.webhooks) final.delete(finalKey(ep.id, record.id))
      }
    }
  }

  return {
    /** One delivery run of one endpoint; a call while one is running joins it. */
    runEndpoint(ep: WebhookEndpoint): Promise<DeliveryRunSummary> {
      let p = running.get(ep.id)
      if (!p) {
        p = runEndpoint(ep).finally(() => running.delete(ep.id))
        running.set(ep.id, p)
      }
      return p
    },
    /** One run of every endpoint, concurrently; resolves when all are done (Lambda, tests, the CLI). */
    async runAll(): Promise<DeliveryRunSummary> {
      const all = await Promise.all(config.webhooks.map((ep) => this.runEndpoint(ep)))
      return all.reduce(
        (a, b) => ({
          attempted: a.attempted + b.attempted,
          delivered: a.delivered + b.delivered,
          retried: a.retried + b.retried,
          deadLettered: a.deadLettered + b.deadLettered,
        }),
        emptySummary(),
      )
    },
  }
}
export type WebhookDispatcher = ReturnType<typeof createWebhookDispatcher>
