import type { WebhookEndpoint } from '../config/webhook-endpoint.js'
import type { Deps } from '../deps.js'
import { getJson, putJson } from '../store/json.js'
import { webhookKeys } from '../store/keys.js'

/** Health of one endpoint (webhookKeys.endpoint). Delete the object (or enable it through the API) to re-enable it. */
export interface EndpointHealth {
  /** ms since the epoch of the first failure since the last success; null when healthy. */
  failingSince: number | null
  disabled: { at: string; reason: string } | null
}

/**
 * An endpoint's health during one delivery run: read once at its start, written when it changes. Disabling logs
 * one `error` line with `alert: "webhook-endpoint-disabled"`, however many attempts in flight see the failure.
 */
export async function loadEndpointHealth(deps: Pick<Deps, 'store' | 'logger' | 'clock'>, ep: WebhookEndpoint) {
  const key = webhookKeys.endpoint(ep.id)
  const health: EndpointHealth = (await getJson<EndpointHealth>(deps.store, key))?.value ?? { failingSince: null, disabled: null }
  const save = () => putJson(deps.store, key, health)
  return {
    get disabled() {
      return health.disabled
    },
    async succeeded() {
      if (health.failingSince === null) return
      health.failingSince = null
      await save()
    },
    /** Records a failed attempt at `at` (ISO); disables the endpoint when it has failed for `disableAfterFailingMs`. */
    async failed(at: string) {
      const now = deps.clock.now()
      if (health.failingSince === null) {
        health.failingSince = now
        await save()
      } else if (!health.disabled && now - health.failingSince >= ep.disableAfterFailingMs) {
        await this.disable(at, `every attempt failed for ${Math.round((now - health.failingSince) / 60_000)} minutes`)
      }
    },
    async disable(at: string, reason: string) {
      if (health.disabled) return
      health.disabled = { at, reason }
      await save()
      deps.logger.error({ alert: 'webhook-endpoint-disabled', endpoint: ep.id, reason }, 'webhook endpoint disabled')
    },
  }
}
export type EndpointHealthHandle = Awaited<ReturnType<typeof loadEndpointHealth>>

/** An endpoint as the API lists it: its configuration (no secret; the URL without credentials or query) and health. */
export interface EndpointView {
  id: string
  /** Origin and path only: a query string or user info may carry a token. */
  url: string
  format: WebhookEndpoint['format']
  eventTypes: string[]
  mailboxes: string[] | null
  /** `healthy`; `failing` (every attempt since `failingSince` failed); `disabled` (nothing is sent until enabled). */
  state: 'healthy' | 'failing' | 'disabled'
  /** ISO 8601 of the first failure since the last success; null when healthy. */
  failingSince: string | null
  /** When and why it was disabled (410 Gone, or failing for `disableAfterFailingMs`). */
  disabled: { at: string; reason: string } | null
}

export function endpointView(ep: WebhookEndpoint, health: EndpointHealth | null): EndpointView {
  const u = new URL(ep.url)
  return {
    id: ep.id,
    url: `${u.origin}${u.pathname}`,
    format: ep.format,
    eventTypes: [...ep.eventTypes],
    mailboxes: ep.mailboxes ? [...ep.mailboxes] : null,
    state: health?.disabled ? 'disabled' : health?.failingSince != null ? 'failing' : 'healthy',
    failingSince: health?.failingSince != null ? new Date(health.failingSince).toISOString() : null,
    disabled: health?.disabled ?? null,
  }
}

/** Every configured endpoint with its health, in configuration order. */
export async function listEndpoints(deps: Pick<Deps, 'store' | 'config'>): Promise<EndpointView[]> {
  const healths = await Promise.all(deps.config.webhooks.map((ep) => getJson<EndpointHealth>(deps.store, webhookKeys.endpoint(ep.id))))
  return deps.config.webhooks.map((ep, i) => endpointView(ep, healths[i]?.value ?? null))
}

/**
 * Enables an endpoint again and forgets its failures (the next delivery run sends to it); events dead-lettered
 * while it was disabled stay so: replay them (POST /v1/webhooks/replay). Null for an endpoint not configured.
 */
export async function enableEndpoint(deps: Pick<Deps, 'store' | 'config' | 'logger'>, id: string): Promise<EndpointView | null> {
  const ep = deps.config.webhooks.find((w) => w.id === id)
  if (!ep) return null
  const health: EndpointHealth = { failingSince: null, disabled: null }
  await putJson(deps.store, webhookKeys.endpoint(id), health)
  deps.logger.info({ endpoint: id }, 'webhook endpoint enabled')
  return endpointView(ep, health)
}
