import { Hono } from 'hono'
import { z } from 'zod'
import { ResourceId } from '../../config/mailbox.js'
import type { Deps } from '../../deps.js'
import { ApiError } from '../../errors.js'
import { EventType } from '../../events/event-types.js'
import { requireScope } from '../../scopes.js'
import { DELIVERY_STATUSES } from '../../webhooks/delivery-index.js'
import { BadCursorError, listDeliveries, parseDeliveryId, readDelivery } from '../../webhooks/delivery-list.js'
import { toFieldIssues } from '../../field-issues.js'
import { enableEndpoint, listEndpoints } from '../../webhooks/endpoint-health.js'
import { BadReplayCursorError, replayDeliveries } from '../../webhooks/replay.js'
import { requeueDelivery, type RequeueOutcome } from '../../webhooks/requeue.js'
import type { AppEnv } from '../app-env.js'
import { ReplayRequest } from '../openapi-webhooks.js'
import { Instant, Limit, parseQuery } from '../query-params.js'
import { readJson } from '../read-json.js'

export const DeliveryQuery = z.strictObject({
  status: z.enum(DELIVERY_STATUSES).optional(),
  endpoint: ResourceId.optional(),
  type: EventType.optional(),
  since: Instant.optional(),
  limit: Limit,
  cursor: z.string().max(2000).optional(),
})

const badCursor = (path: string[]) =>
  new ApiError('validation_failed', 'the cursor is not from this listing', [
    { path, code: 'invalid_cursor', message: 'pass nextCursor of an earlier answer to the same request' },
  ])

/** Why a retry was refused, as the API says it (409 conflict unless not_found). */
const RETRY_REFUSED: Record<Exclude<RequeueOutcome, 'queued'>, string> = {
  not_found: 'no delivery has this id',
  unknown_endpoint: 'the endpoint is no longer configured for this event',
  status: 'only failed and dead deliveries can be retried (replay re-sends delivered events)',
  in_flight: 'a worker is attempting this delivery now',
  disabled: 'the endpoint is disabled: enable it first (POST /v1/webhooks/endpoints/{id}/enable)',
  no_event: "this delivery's event is no longer kept (it was recorded before deliveries kept their event)",
}

/** The endpoint and event of a delivery id in the path. @throws ApiError not_found for an id that is not one. */
function deliveryOf(id: string) {
  const parsed = parseDeliveryId(id)
  if (!parsed) throw new ApiError('not_found', 'no delivery has this id (`<endpointId>:<eventId>`)')
  return parsed
}

/**
 * `/v1/webhooks`: deliveries (list, one with its attempts, retry), replay of a time range, endpoints with their health
 * (list, enable). Reading needs the `read` scope, every change `admin`.
 */
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
      throw badCursor(['query', 'cursor'])
    }
  })

  app.get('/deliveries/:id', async (c) => {
    requireScope(c.get('apiKey'), 'read', 'read webhook deliveries')
    const { endpointId, eventId } = deliveryOf(c.req.param('id'))
    const view = await readDelivery(deps, endpointId, eventId)
    if (!view) throw new ApiError('not_found', 'no delivery has this id')
    return c.json(view)
  })

  app.post('/deliveries/:id/retry', async (c) => {
    requireScope(c.get('apiKey'), 'admin', 'retry webhook deliveries')
    const { endpointId, eventId } = deliveryOf(c.req.param('id'))
    const outcome = await requeueDelivery(deps, endpointId, eventId, ['failed', 'dead'])
    if (outcome !== 'queued') throw new ApiError(outcome === 'not_found' ? 'not_found' : 'conflict', RETRY_REFUSED[outcome])
    return c.json((await readDelivery(deps, endpointId, eventId))!, 202)
  })

  app.post('/replay', async (c) => {
    requireScope(c.get('apiKey'), 'admin', 'replay webhook events')
    const parsed = ReplayRequest.safeParse(await readJson(c))
    if (!parsed.success) throw new ApiError('validation_failed', 'the request has invalid fields', toFieldIssues(parsed.error.issues))
    const r = parsed.data
    try {
      const result = await replayDeliveries(deps, {
        sinceMs: r.since,
        untilMs: r.until,
        endpoint: r.endpoint,
        types: r.types,
        limit: r.limit,
        cursor: r.cursor,
      })
      return c.json(result, 202)
    } catch (err) {
      if (err instanceof BadReplayCursorError) throw badCursor(['cursor'])
      throw err
    }
  })

  app.get('/endpoints', async (c) => {
    requireScope(c.get('apiKey'), 'read', 'read webhook endpoints')
    return c.json({ data: await listEndpoints(deps) })
  })

  app.post('/endpoints/:id/enable', async (c) => {
    requireScope(c.get('apiKey'), 'admin', 'enable webhook endpoints')
    const view = await enableEndpoint(deps, c.req.param('id'))
    if (!view) throw new ApiError('not_found', 'no webhook endpoint has this id')
    return c.json(view)
  })

  return app
}
