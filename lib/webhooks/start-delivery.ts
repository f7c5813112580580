import type { WebhookEndpoint } from '../config/webhook-endpoint.js'
import type { Deps } from '../deps.js'
import { subscribes } from '../events/outbox.js'
import { createWebhookDispatcher } from './dispatcher.js'

export interface WebhookDelivery {
  /** Stops scheduling and waits for runs in flight. */
  stop(): Promise<void>
}

/**
 * Long-running mode (`npm start`): a delivery run for each endpoint every `inbound.webhookTickMs` (retries come due,
 * other processes record events), and at once when this process records an event the endpoint subscribes to
 * (deps.events), so an event is delivered within milliseconds, not at the next tick. A run asked for while one is
 * under way runs right after it. A failed run is logged and retried at the next tick.
 */
export function startWebhookDelivery(deps: Deps): WebhookDelivery {
  const { config, logger } = deps
  const dispatcher = createWebhookDispatcher(deps)
  const timers = new Map<string, NodeJS.Timeout>()
  const running = new Map<string, Promise<void>>()
  const again = new Set<string>()
  let stopped = false

  const run = (ep: WebhookEndpoint): void => {
    if (stopped) return
    if (running.has(ep.id)) return void again.add(ep.id)
    clearTimeout(timers.get(ep.id))
    const p = dispatcher
      .runEndpoint(ep)
      .then(
        () => {},
        (err: Error) => logger.error({ endpoint: ep.id, err: err.message }, 'webhook delivery run failed'),
      )
      .finally(() => {
        running.delete(ep.id)
        if (stopped) return
        if (again.delete(ep.id)) return run(ep)
        timers.set(
          ep.id,
          setTimeout(() => run(ep), config.inbound.webhookTickMs),
        )
      })
    running.set(ep.id, p)
  }

  const unsubscribe = deps.events.subscribe((record) => {
    for (const ep of config.webhooks) if (subscribes(ep, record)) run(ep)
  })
  for (const ep of config.webhooks) run(ep)
  logger.info({ webhooks: config.webhooks.map((w) => w.id) }, 'webhook delivery started')

  return {
    async stop() {
      stopped = true
      unsubscribe()
      for (const t of timers.values()) clearTimeout(t)
      timers.clear()
      while (running.size) await Promise.allSettled([...running.values()])
    },
  }
}
