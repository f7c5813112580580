import { Hono } from 'hono'
import { z } from 'zod'
import { ResourceId } from '../../config/mailbox.js'
import type { Deps } from '../../deps.js'
import { ApiError } from '../../errors.js'
import { EventType } from '../../events/event-types.js'
import { requireScope } from '../../scopes.js'
import { DELIVERY_STATUSES } from '../../webhooks/delivery-index.js'
import { BadCursorError, listDeliveries, parseDeliveryId, readDelivery } from '../../webhooks/delivery-list.js'
import type { AppEnv } from '../app-env.js'
import { Instant, Limit, parseQuery } from '../query-params.js'

export const DeliveryQuery = z.strictObject({
  status: z.enum(DELIVERY_STATUSES).optional(),
  endpoint: ResourceId.optional(),
  type: EventType.optional(),
  since: Instant.optional(),
  limit: Limit,
  cursor: z.string().max(2000).optional(),
})

/** The endpoint and event of a delivery id in the path. @throws ApiError not_found for an id that is not one. */
function deliveryOf(id: string) {
  const parsed = parseDeliveryId(id)
  if (!parsed) throw new ApiError('not_found', 'no delivery has this id (`<endpointId>:<eventId>`)')
  return parsed
}

/** `/v1/webhooks`: deliveries (list, one with its attempts). Reading needs `read`, changes need `admin`. */
export function webhookRoutes(deps: Deps) {
  const app = new Hono<AppEnv>()

  app.get('/deliveries', async (c) => {
    requireScope(c.get('apiKey'), 'read', 'read webhook deliveries')
    const q = parseQuery(DeliveryQuery, c.req.query())
    try {
      const page = await listDeliveries(deps, { status: q.status, endpoint: q.endpoint, type: q.type, sinceMs: q.since }, { limit: q.limit, cursor: q.cursor })
      return c.json({ data: page.items, nextCursor: page.nextCursor })
    } catch (err) {
      if (!(err instanceof BadCursorError)) throw err
      throw new ApiError('validation_failed', 'the cursor is not from this listing', [
        { path: ['query', 'cursor'], code: 'invalid_cursor', message: 'pass nextCursor of a page listed with the same filters' },
      ])
    }
  })

  app.get('/deliveries/:id', async (c) => {
    requireScope(c.get('apiKey'), 'read', 'read webhook deliveries')
    const { endpointId, eventId } = deliveryOf(c.req.param('id'))
    const view = await readDelivery(deps, endpointId, eventId)
    if (!view) throw new ApiError('not_found', 'no delivery has this id')
    return c.json(view)
  })

  return app
}
