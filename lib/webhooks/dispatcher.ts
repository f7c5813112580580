import type { WebhookEndpoint } from '../config/webhook-endpoint.js'
import type { Deps } from '../deps.js'
import { subscribes, type EventRecord } from '../events/outbox.js'
import { getJson } from '../store/json.js'
import { requeueKeys, webhookKeys } from '../store/keys.js'
import { loadEndpointHealth, type EndpointHealthHandle } from './endpoint-health.js'
import { addSummaries, createEventDelivery, emptySummary, withSource, type DeliveryRunSummary } from './event-delivery.js'

export type { AttemptLog, DeliveryRecord } from './delivery-record.js'
export type { EndpointHealth } from './endpoint-health.js'
export type { DeliveryRunSummary } from './event-delivery.js'

/**
 * The long-running delivery loop's engine (`npm start`, the CLI): delivers recorded events (the outbox,
 * lib/events/outbox.ts) to every subscribed endpoint through event-delivery.ts (signing, retries, dead letters,
 * disabling, claims). Each endpoint runs on its own, so a slow or dead endpoint delays only itself. A run lists the
 * outbox and reads the records it has not seen; an event leaves the outbox when every subscribed endpoint has
 * delivered or dead-lettered it; its delivery records stay as the log. On AWS the SQS consumer (sqs-webhooks.ts)
 * calls event-delivery.ts per event instead.
 */
export function createWebhookDispatcher(deps: Deps) {
  const { store, config } = deps
  const delivery = createEventDelivery(deps)
  const records = new Map<string, EventRecord>()
  const final = new Set<string>()
  // When each pending delivery is next due, so a backlog behind a failing endpoint is not re-read every run.
  const dueAt = new Map<string, number>()
  const running = new Map<string, Promise<DeliveryRunSummary>>()
  const finalKey = (endpointId: string, eventId: string) => `${endpointId}\n${eventId}`

  // Requeue markers already acted on (lib/webhooks/requeue.ts); markers live an hour, so this stays small.
  const requeues = new Set<string>()

  /** Forgets what this dispatcher knows of the deliveries of events put back in line through the API since. */
  async function takeRequeues() {
    const keys = await store.list(requeueKeys.prefix)
    const live = new Set(keys)
    for (const k of requeues) if (!live.has(k)) requeues.delete(k)
    for (const k of keys) {
      const m = requeueKeys.parse(k)
      if (!m || requeues.has(k)) continue
      requeues.add(k)
      for (const ep of config.webhooks) {
        final.delete(finalKey(ep.id, m.eventId))
        dueAt.delete(finalKey(ep.id, m.eventId))
      }
    }
  }

  async function loadOutbox(): Promise<EventRecord[]> {
    await takeRequeues()
    const keys = await store.list(webhookKeys.outboxPrefix)
    const live = new Set(keys)
    for (const k of records.keys()) if (!live.has(k)) records.delete(k)
    for (const k of keys) {
      if (records.has(k)) continue
      const r = await getJson<EventRecord>(store, k)
      if (r) records.set(k, withSource(r.value))
    }
    return keys.filter((k) => records.has(k)).map((k) => records.get(k)!)
  }

  /** One event to one endpoint, unless this dispatcher already knows it is final or not yet due. */
  async function deliverOne(ep: WebhookEndpoint, health: EndpointHealthHandle, record: EventRecord, summary: DeliveryRunSummary) {
    const fk = finalKey(ep.id, record.id)
    if ((dueAt.get(fk) ?? 0) > deps.clock.now() && !health.disabled) return
    const s = await delivery.toEndpoint(ep, health, record, summary)
    if (s.state === 'final') {
      final.add(fk)
      dueAt.delete(fk)
    } else if (s.state === 'pending') dueAt.set(fk, s.nextAttemptAt)
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
        delivery.forget(record.id)
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
    /** One run of every endpoint, concurrently; resolves when all are done (tests, the CLI). */
    async runAll(): Promise<DeliveryRunSummary> {
      const all = await Promise.all(config.webhooks.map((ep) => this.runEndpoint(ep)))
      return all.reduce(addSummaries, emptySummary())
    },
  }
}
export type WebhookDispatcher = ReturnType<typeof createWebhookDispatcher>
