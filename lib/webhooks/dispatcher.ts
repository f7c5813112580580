import type { WebhookEndpoint } from '../config/webhook-endpoint.js'
import type { Deps } from '../deps.js'
import { getJson, putJson } from '../store/json.js'
import { webhookKeys } from '../store/keys.js'
import { classifyAttempt, retryDelayMs, type AttemptOutcome, type AttemptResult } from './classify.js'
import type { OutboxRecord } from './outbox.js'
import { buildPayload } from './payload.js'
import { signWebhook } from './sign.js'

/** Bytes of a response body kept in the attempt log. */
const RESPONSE_HEAD_BYTES = 256

/** One logged delivery attempt. */
export interface AttemptLog {
  attempt: number
  /** ISO 8601 UTC start of the attempt. */
  at: string
  /** HTTP status, or null for a timeout or network error. */
  status: number | null
  latencyMs: number
  outcome: AttemptOutcome['kind']
  reason: string | null
  /** First bytes of the response body, decoded as UTF-8. */
  responseHead: string
}

/** Delivery of one event to one endpoint (webhookKeys.delivery). */
export interface DeliveryRecord {
  eventId: string
  endpointId: string
  status: 'pending' | 'delivered' | 'dead'
  /** ms since the epoch. */
  nextAttemptAt: number
  attempts: AttemptLog[]
}

/** Health of one endpoint (webhookKeys.endpoint). Delete the object to re-enable a disabled endpoint. */
export interface EndpointHealth {
  /** ms since the epoch of the first failure since the last success; null when healthy. */
  failingSince: number | null
  disabled: { at: string; reason: string } | null
}

export interface DeliveryRunSummary {
  attempted: number
  delivered: number
  retried: number
  deadLettered: number
}

const subscribed = (ep: WebhookEndpoint, r: OutboxRecord) => ep.eventTypes.includes(r.type) && (!ep.mailboxes || ep.mailboxes.includes(r.mailbox))

async function readHead(res: Response): Promise<string> {
  if (!res.body) return ''
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let n = 0
  try {
    while (n < RESPONSE_HEAD_BYTES) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      n += value.length
    }
  } finally {
    await reader.cancel().catch(() => {})
  }
  return Buffer.concat(chunks).subarray(0, RESPONSE_HEAD_BYTES).toString('utf8')
}

/**
 * Delivers recorded events (the outbox) to every subscribed endpoint, signed per Standard Webhooks, with
 * retries and backoff (classify.ts), dead letters, and endpoint disabling on 410 or sustained failure.
 * Each endpoint runs on its own, so a slow or dead endpoint delays only itself. An event leaves the outbox
 * when every subscribed endpoint has delivered or dead-lettered it; its delivery records stay as the log.
 */
export function createWebhookDispatcher(deps: Deps) {
  const { store, logger, config } = deps
  const records = new Map<string, OutboxRecord>()
  const final = new Set<string>()
  // When each pending delivery is next due, so a backlog behind a failing endpoint is not re-read every run.
  const dueAt = new Map<string, number>()
  const running = new Map<string, Promise<DeliveryRunSummary>>()
  const finalKey = (endpointId: string, eventId: string) => `${endpointId}\n${eventId}`

  async function loadOutbox(): Promise<[string, OutboxRecord][]> {
    const keys = await store.list(webhookKeys.outboxPrefix)
    const live = new Set(keys)
    for (const k of records.keys()) if (!live.has(k)) records.delete(k)
    for (const k of keys) {
      if (records.has(k)) continue
      const r = await getJson<OutboxRecord>(store, k)
      if (r) records.set(k, r.value)
    }
    return keys.filter((k) => records.has(k)).map((k) => [k, records.get(k)!])
  }

  async function deadLetter(ep: WebhookEndpoint, record: OutboxRecord, d: DeliveryRecord, reason: string) {
    d.status = 'dead'
    await putJson(store, webhookKeys.deadLetter(ep.id, record.id), { endpointId: ep.id, reason, event: record, attempts: d.attempts })
    logger.warn({ endpoint: ep.id, eventId: record.id, reason }, 'webhook dead-lettered')
  }

  async function attempt(ep: WebhookEndpoint, record: OutboxRecord, n: number): Promise<[AttemptOutcome, AttemptLog]> {
    const started = deps.clock.now()
    const t0 = performance.now()
    let result: AttemptResult
    let responseHead = ''
    try {
      const body = await buildPayload(store, config.inbound, record)
      const res = await deps.fetch(ep.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Postern-Webhooks',
          ...signWebhook(await deps.secrets.text(ep.secret), record.id, new Date(started), body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(ep.timeoutMs),
      })
      responseHead = await readHead(res)
      result = { status: res.status, retryAfter: res.headers.get('retry-after') }
    } catch (err) {
      result = { error: err }
    }
    const outcome = classifyAttempt(result, deps.clock.now())
    const log: AttemptLog = {
      attempt: n,
      at: new Date(started).toISOString(),
      status: 'status' in result ? result.status : null,
      latencyMs: Math.round(performance.now() - t0),
      outcome: outcome.kind,
      reason: outcome.kind === 'retry' ? outcome.reason : null,
      responseHead,
    }
    logger.info({ endpoint: ep.id, eventId: record.id, ...log }, 'webhook attempt')
    return [outcome, log]
  }

  async function runEndpoint(ep: WebhookEndpoint): Promise<DeliveryRunSummary> {
    const summary: DeliveryRunSummary = { attempted: 0, delivered: 0, retried: 0, deadLettered: 0 }
    const healthKey = webhookKeys.endpoint(ep.id)
    const healthObj = await getJson<EndpointHealth>(store, healthKey)
    const health: EndpointHealth = healthObj?.value ?? { failingSince: null, disabled: null }
    const saveHealth = () => putJson(store, healthKey, health)
    const due = (await loadOutbox()).map(([, r]) => r).filter((r) => subscribed(ep, r) && !final.has(finalKey(ep.id, r.id)))
    let next = 0
    const one = async (record: OutboxRecord) => {
      const fk = finalKey(ep.id, record.id)
      if ((dueAt.get(fk) ?? 0) > deps.clock.now() && !health.disabled) return
      const key = webhookKeys.delivery(ep.id, record.id)
      const d: DeliveryRecord = (await getJson<DeliveryRecord>(store, key))?.value ?? {
        eventId: record.id,
        endpointId: ep.id,
        status: 'pending',
        nextAttemptAt: 0,
        attempts: [],
      }
      if (d.status === 'pending' && health.disabled) {
        await deadLetter(ep, record, d, `endpoint disabled: ${health.disabled.reason}`)
        summary.deadLettered++
      } else if (d.status === 'pending' && d.nextAttemptAt <= deps.clock.now()) {
        const [outcome, log] = await attempt(ep, record, d.attempts.length + 1)
        d.attempts.push(log)
        summary.attempted++
        if (outcome.kind === 'delivered') {
          d.status = 'delivered'
          summary.delivered++
          if (health.failingSince !== null) {
            health.failingSince = null
            await saveHealth()
          }
        } else if (outcome.kind === 'gone') {
          health.disabled = { at: log.at, reason: 'the endpoint answered 410 Gone' }
          await saveHealth()
          logger.error({ alert: 'webhook-endpoint-disabled', endpoint: ep.id, reason: health.disabled.reason }, 'webhook endpoint disabled')
          await deadLetter(ep, record, d, health.disabled.reason)
          summary.deadLettered++
        } else {
          const now = deps.clock.now()
          if (health.failingSince === null) {
            health.failingSince = now
            await saveHealth()
          } else if (now - health.failingSince >= ep.disableAfterFailingMs) {
            health.disabled = { at: log.at, reason: `every attempt failed for ${Math.round((now - health.failingSince) / 60_000)} minutes` }
            await saveHealth()
            logger.error({ alert: 'webhook-endpoint-disabled', endpoint: ep.id, reason: health.disabled.reason }, 'webhook endpoint disabled')
          }
          if (d.attempts.length >= ep.retry.maxAttempts) {
            await deadLetter(ep, record, d, `${d.attempts.length} attempts failed; last: ${outcome.reason}`)
            summary.deadLettered++
          } else {
            d.nextAttemptAt = now + retryDelayMs(d.attempts.length, ep.retry, deps.random, outcome.retryAfterMs)
            summary.retried++
          }
        }
        await putJson(store, key, d)
      }
      if (d.status !== 'pending') {
        final.add(fk)
        dueAt.delete(fk)
      } else dueAt.set(fk, d.nextAttemptAt)
    }
    // A few attempts in flight per endpoint; consumers order events by `sequence`, not by arrival.
    const worker = async () => {
      while (next < due.length && summary.attempted < config.inbound.webhookBatch) await one(due[next++])
    }
    await Promise.all(Array.from({ length: config.inbound.webhookConcurrency }, worker))
    await sweep()
    return summary
  }

  /** Removes outbox records every subscribed endpoint is done with. */
  async function sweep() {
    for (const [key, record] of records) {
      if (config.webhooks.every((ep) => !subscribed(ep, record) || final.has(finalKey(ep.id, record.id)))) {
        await store.delete(key)
        records.delete(key)
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
        { attempted: 0, delivered: 0, retried: 0, deadLettered: 0 },
      )
    },
  }
}
export type WebhookDispatcher = ReturnType<typeof createWebhookDispatcher>
