import { Hono } from 'hono'
import type { Deps } from '../../deps.js'
import { ApiError } from '../../errors.js'
import { EVENT_TYPES } from '../../events/event-types.js'
import { DeliveryQuery } from '../../http/routes/webhooks.js'
import { getJson } from '../../store/json.js'
import { webhookKeys } from '../../store/keys.js'
import { DELIVERY_STATUSES } from '../../webhooks/delivery-index.js'
import { BadCursorError, listDeliveries, type DeliveryView } from '../../webhooks/delivery-list.js'
import type { EndpointHealth } from '../../webhooks/endpoint-health.js'
import { Badge, Filters, Pager, Table, Time } from '../components.js'
import { parseFilters, queryOf, render } from '../render.js'
import type { OpsEnv } from '../security.js'
import { deliveryPage, retryAction } from './webhook-delivery.js'

/** Each configured endpoint with its health (`webhooks/endpoints/<id>.json`; absent means healthy). */
async function endpointsHealth(deps: Deps) {
  return Promise.all(
    deps.config.webhooks.map(async (ep) => ({ ep, health: (await getJson<EndpointHealth>(deps.store, webhookKeys.endpoint(ep.id)))?.value ?? null })),
  )
}

const Endpoints = (p: { rows: Awaited<ReturnType<typeof endpointsHealth>> }) => (
  <Table head={['Endpoint', 'URL', 'Health', 'Failing since', 'Disabled', 'Why']} id="endpoints">
    {p.rows.map(({ ep, health }) => (
      <tr>
        <td>{ep.id}</td>
        <td class="mono">{ep.url}</td>
        <td>
          <Badge status={health?.disabled ? 'disabled' : health?.failingSince ? 'failed' : 'ok'} />
        </td>
        <td>
          <Time iso={health?.failingSince ? new Date(health.failingSince).toISOString() : null} />
        </td>
        <td>
          <Time iso={health?.disabled?.at} />
        </td>
        <td>{health?.disabled?.reason ?? '—'}</td>
      </tr>
    ))}
  </Table>
)

const Deliveries = (p: { items: DeliveryView[] }) => (
  <Table head={['Event recorded', 'Status', 'Endpoint', 'Type', 'Attempts', 'Last reply', 'Next attempt', 'webhook-id']} id="deliveries">
    {p.items.map((d) => (
      <tr>
        <td>
          <Time iso={d.eventCreatedAt} />
        </td>
        <td>
          <Badge status={d.status} />
        </td>
        <td>{d.endpointId}</td>
        <td>{d.type ?? '—'}</td>
        <td class="n">{d.attemptCount}</td>
        <td class="n">{d.lastAttempt ? (d.lastAttempt.statusCode ?? d.lastAttempt.outcome) : '—'}</td>
        <td>
          <Time iso={d.nextAttemptAt} />
        </td>
        <td class="mono">
          <a href={`/ops/webhooks/deliveries/${encodeURIComponent(d.id)}`}>{d.eventId}</a>
        </td>
      </tr>
    ))}
  </Table>
)

/** /ops/webhooks: endpoint health, deliveries (GET /v1/webhooks/deliveries's filters and pages), one delivery, retry. */
export function webhookPages(deps: Deps) {
  const app = new Hono<OpsEnv>()
  app.get('/', async (c) => {
    const q = parseFilters(c, DeliveryQuery)
    let page
    try {
      page = await listDeliveries(deps, { status: q.status, endpoint: q.endpoint, type: q.type, sinceMs: q.since }, { limit: q.limit, cursor: q.cursor })
    } catch (err) {
      if (!(err instanceof BadCursorError)) throw err
      throw new ApiError('validation_failed', 'the cursor is not one of this list', [
        { path: ['query', 'cursor'], code: 'invalid_cursor', message: err.message },
      ])
    }
    const shown = queryOf(c, ['status', 'endpoint', 'type', 'since', 'limit'])
    const body = (
      <>
        <h2>Endpoints</h2>
        <Endpoints rows={await endpointsHealth(deps)} />
        <h2>Deliveries</h2>
        <Filters
          action="/ops/webhooks"
          fields={[
            { name: 'status', label: 'Status', value: shown.status, options: DELIVERY_STATUSES },
            { name: 'endpoint', label: 'Endpoint', value: shown.endpoint, options: deps.config.webhooks.map((w) => w.id) },
            { name: 'type', label: 'Type', value: shown.type, options: EVENT_TYPES },
            { name: 'since', label: 'Since', value: shown.since, placeholder: '2026-12-02T09:00:00Z' },
          ]}
        />
        <Deliveries items={page.items} />
        {page.items.length === 0 && <p class="muted">No delivery matches.</p>}
        <Pager path="/ops/webhooks" query={shown} nextCursor={page.nextCursor} />
      </>
    )
    return render(c, 'Webhooks', '/webhooks', body)
  })
  app.get('/deliveries/:id', (c) => deliveryPage(deps, c))
  app.post('/deliveries/:id/retry', (c) => retryAction(deps, c))
  return app
}
