import type { Context } from 'hono'
import type { Deps } from '../../deps.js'
import { ApiError } from '../../errors.js'
import { hasScope } from '../../scopes.js'
import { parseDeliveryId, readDelivery, type DeliveryAttemptView, type DeliveryView } from '../../webhooks/delivery-list.js'
import { requeueDelivery, type RequeueOutcome } from '../../webhooks/requeue.js'
import { ActionButton, Badge, Flash, Table, Time } from '../components.js'
import { back, render } from '../render.js'
import type { OpsEnv } from '../security.js'

/** Why a retry was not queued, in words for the page. */
const NOT_RETRIED: Record<Exclude<RequeueOutcome, 'queued'>, string> = {
  not_found: 'No delivery has this id.',
  unknown_endpoint: 'The endpoint is no longer configured for this event.',
  status: 'Only failed and dead deliveries can be retried.',
  in_flight: 'A worker is attempting this delivery now.',
  disabled: 'The endpoint is disabled: enable it first.',
  no_event: "This delivery's event is no longer kept.",
}

const Detail = (p: { d: DeliveryView & { attempts: DeliveryAttemptView[] }; canRetry: boolean; csrf: string; done?: string; error?: string }) => (
  <>
    <Flash done={p.done} error={p.error} />
    <dl class="kv" id="delivery">
      <dt>Status</dt>
      <dd>
        <Badge status={p.d.status} /> {p.d.reason && <span class="muted">{p.d.reason}</span>}
      </dd>
      <dt>Endpoint</dt>
      <dd>{p.d.endpointId}</dd>
      <dt>Type</dt>
      <dd>{p.d.type ?? '—'}</dd>
      <dt>webhook-id</dt>
      <dd class="mono">{p.d.eventId}</dd>
      <dt>Source</dt>
      <dd class="mono">
        {p.d.source?.startsWith('message:') ? <a href={`/ops/messages/${p.d.source.slice('message:'.length)}`}>{p.d.source}</a> : (p.d.source ?? '—')}
      </dd>
      <dt>Event recorded</dt>
      <dd>
        <Time iso={p.d.eventCreatedAt} />
      </dd>
      <dt>Next attempt</dt>
      <dd>
        <Time iso={p.d.nextAttemptAt} />
      </dd>
    </dl>
    {p.canRetry && (
      <p>
        <ActionButton action={`/ops/webhooks/deliveries/${encodeURIComponent(p.d.id)}/retry`} csrf={p.csrf} label="Retry now" />
      </p>
    )}
    <h2>Attempts</h2>
    <Table head={['#', 'Time', 'HTTP status', 'ms', 'Outcome', 'Reason', 'Response']} id="attempts">
      {p.d.attempts.map((a) => (
        <tr>
          <td class="n">{a.attempt}</td>
          <td>
            <Time iso={a.at} />
          </td>
          <td class="n">{a.statusCode ?? '—'}</td>
          <td class="n">{a.durationMs}</td>
          <td>{a.outcome}</td>
          <td>{a.reason ?? '—'}</td>
          <td class="mono">{a.responseExcerpt}</td>
        </tr>
      ))}
    </Table>
  </>
)

function idOf(c: Context<OpsEnv>) {
  const parsed = parseDeliveryId(c.req.param('id')!)
  if (!parsed) throw new ApiError('not_found', 'no delivery has this id (`<endpointId>:<eventId>`)')
  return parsed
}

/** GET /ops/webhooks/deliveries/:id: one delivery with every attempt; a retry button (admin) when failed or dead. */
export async function deliveryPage(deps: Deps, c: Context<OpsEnv>) {
  const { endpointId, eventId } = idOf(c)
  const d = await readDelivery(deps, endpointId, eventId)
  if (!d) throw new ApiError('not_found', 'no delivery has this id')
  const canRetry = (d.status === 'failed' || d.status === 'dead') && hasScope(c.get('apiKey'), 'admin')
  const body = <Detail d={d} canRetry={canRetry} csrf={c.get('csrf')} done={c.req.query('done')} error={c.req.query('error')} />
  return render(c, `Delivery to ${d.endpointId}`, '/webhooks', body)
}

/** POST /ops/webhooks/deliveries/:id/retry (admin): queues a failed or dead delivery again, with its webhook-id. */
export async function retryAction(deps: Deps, c: Context<OpsEnv>) {
  if (!hasScope(c.get('apiKey'), 'admin')) throw new ApiError('insufficient_scope', 'this key needs the "admin" scope to retry webhook deliveries')
  const { endpointId, eventId } = idOf(c)
  const outcome = await requeueDelivery(deps, endpointId, eventId, ['failed', 'dead'])
  if (outcome === 'not_found') throw new ApiError('not_found', 'no delivery has this id')
  const path = `/ops/webhooks/deliveries/${encodeURIComponent(`${endpointId}:${eventId}`)}`
  return back(c, path, outcome === 'queued' ? { done: 'Queued for another attempt.' } : { error: NOT_RETRIED[outcome] })
}
