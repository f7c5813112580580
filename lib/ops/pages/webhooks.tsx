import { Hono } from 'hono'
import type { Deps } from '../../deps.js'
import { ApiError } from '../../errors.js'
import { EVENT_TYPES } from '../../events/event-types.js'
import { DeliveryQuery } from '../../http/routes/webhooks.js'
import { DELIVERY_STATUSES } from '../../webhooks/delivery-index.js'
import { BadCursorError, listDeliveries, type DeliveryView } from '../../webhooks/delivery-list.js'
import { enableEndpoint, listEndpoints, type EndpointView } from '../../webhooks/endpoint-health.js'
import { hasScope } from '../../scopes.js'
import { ActionButton, Badge, Filters, Flash, Pager, Table, Time } from '../components.js'
import { back, parseFilters, queryOf, render } from '../render.js'
import type { OpsEnv } from '../security.js'
import { deliveryPage, retryAction } from './webhook-delivery.js'

const Endpoints = (p: { rows: EndpointView[]; admin: boolean; csrf: string }) => (
  <Table head={['Endpoint', 'URL', 'Health', 'Failing since', 'Disabled', 'Why', '']} id="endpoints">
    {p.rows.map((ep) => (
      <tr>
        <td>{ep.id}</td>
        <td class="mono">{ep.url}</td>
        <td>
          <Badge status={ep.state} />
        </td>
        <td>
          <Time iso={ep.failingSince} />
        </td>
        <td>
          <Time iso={ep.disabled?.at} />
        </td>
        <td>{ep.disabled?.reason ?? '—'}</td>
        <td>{p.admin && ep.state === 'disabled' && <ActionButton action={`/ops/webhooks/endpoints/${ep.id}/enable`} csrf={p.csrf} label="Enable" />}</td>
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

/** /ops/webhooks: endpoint health and enable (admin), deliveries (GET /v1/webhooks/deliveries's filters and pages), one delivery, retry. */
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
        <Flash done={c.req.query('done')} error={c.req.query('error')} />
        <h2>Endpoints</h2>
        <Endpoints rows={await listEndpoints(deps)} admin={hasScope(c.get('apiKey'), 'admin')} csrf={c.get('csrf')} />
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
  app.post('/endpoints/:id/enable', async (c) => {
    if (!hasScope(c.get('apiKey'), 'admin')) throw new ApiError('insufficient_scope', 'this key needs the "admin" scope to enable webhook endpoints')
    const view = await enableEndpoint(deps, c.req.param('id'))
    if (!view) throw new ApiError('not_found', 'no webhook endpoint has this id')
    return back(c, '/ops/webhooks', { done: `Enabled ${view.id}.` })
  })
  app.get('/deliveries/:id', (c) => deliveryPage(deps, c))
  app.post('/deliveries/:id/retry', (c) => retryAction(deps, c))
  return app
}
