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
