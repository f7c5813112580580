import type { Context } from 'hono'
import type { Deps } from '../../deps.js'
import { ApiError } from '../../errors.js'
import { cancelMessage } from '../../send/control.js'
import { changeableBy, readMessage, type MessageView } from '../../send/message-view.js'
import { ActionButton, Badge, Flash, Table, Time } from '../components.js'
import { back, render } from '../render.js'
import type { OpsEnv } from '../security.js'
import { messageTimeline } from '../timeline.js'

const CANCELABLE = new Set(['scheduled', 'queued', 'deferred'])
const list = (xs: string[]) => (xs.length ? xs.join(', ') : '—')

const Detail = (p: { v: MessageView; apiKeyId: string; canCancel: boolean; csrf: string; done?: string; error?: string }) => (
  <>
    <Flash done={p.done} error={p.error} />
    <dl class="kv" id="message">
      <dt>Status</dt>
      <dd>
        <Badge status={p.v.status} /> {p.v.reason && <span class="muted">{p.v.reason}</span>}
      </dd>
      <dt>Id</dt>
      <dd class="mono">{p.v.id}</dd>
      <dt>Message-ID</dt>
      <dd class="mono">{p.v.messageId}</dd>
      <dt>From</dt>
      <dd>{p.v.from}</dd>
      <dt>To</dt>
      <dd>{list(p.v.to)}</dd>
      {p.v.cc.length > 0 && (
        <>
          <dt>Cc</dt>
          <dd>{list(p.v.cc)}</dd>
        </>
      )}
      {p.v.bcc.length > 0 && (
        <>
          <dt>Bcc</dt>
          <dd>{list(p.v.bcc)}</dd>
        </>
      )}
      <dt>Subject</dt>
      <dd>{p.v.subject}</dd>
      <dt>Tags</dt>
      <dd>{list(p.v.tags)}</dd>
      <dt>API key</dt>
      <dd>{p.apiKeyId}</dd>
      <dt>Accepted</dt>
      <dd>
        <Time iso={p.v.createdAt} />
      </dd>
      <dt>Next attempt</dt>
      <dd>
        <Time iso={p.v.nextAttemptAt} />
      </dd>
    </dl>
    {p.canCancel && (
      <p>
        <ActionButton action={`/ops/messages/${p.v.id}/cancel`} csrf={p.csrf} label="Cancel this message" danger />
      </p>
    )}
    <h2>Timeline</h2>
    <Table head={['Time', 'What', 'Status', 'Detail']} id="timeline">
      {messageTimeline(p.v).map((e) => (
        <tr>
          <td>
            <Time iso={e.at} />
          </td>
          <td class="nowrap">{e.kind}</td>
          <td>
            <Badge status={e.status} />
          </td>
          <td class="mono">{e.detail}</td>
        </tr>
      ))}
    </Table>
    <h2>Attempts</h2>
    <Table head={['#', 'Started', 'ms', 'Outcome', 'Reply', 'Status', 'SMTP reply', 'Accepted', 'Rejected']} id="attempts">
      {p.v.attempts.map((a) => (
        <tr>
          <td class="n">{a.attempt}</td>
          <td>
            <Time iso={a.at} />
          </td>
          <td class="n">{a.durationMs}</td>
          <td>
            <Badge status={a.outcome} />
          </td>
          <td class="n">{a.reply ?? '—'}</td>
          <td class="mono">{a.enhancedStatus ?? '—'}</td>
          <td class="mono smtp-reply">{a.response}</td>
          <td>{list(a.accepted)}</td>
          <td class="mono">{a.rejected.length ? a.rejected.map((r) => `${r.recipient}: ${r.response}`).join('; ') : '—'}</td>
        </tr>
      ))}
    </Table>
    {p.v.suppressed.length > 0 && (
      <>
        <h2>Left out (suppressed)</h2>
        <Table head={['Recipient', 'Reason', 'Since']}>
          {p.v.suppressed.map((s) => (
            <tr>
              <td>{s.recipient}</td>
              <td>{s.reason}</td>
              <td>
                <Time iso={s.since} />
              </td>
            </tr>
          ))}
        </Table>
      </>
    )}
  </>
)

async function viewOr404(deps: Deps, id: string) {
  const view = await readMessage(deps, id)
  if (!view) throw new ApiError('not_found', 'no message has this id')
  return view
}

/** GET /ops/messages/:id: the message, its timeline and attempts with the relay's replies, a cancel button. */
export async function messagePage(deps: Deps, c: Context<OpsEnv>) {
  const v = await viewOr404(deps, c.req.param('id')!)
  const canCancel = CANCELABLE.has(v.status) && changeableBy(c.get('apiKey'), v)
  const body = <Detail v={v} apiKeyId={v.request.apiKeyId} canCancel={canCancel} csrf={c.get('csrf')} done={c.req.query('done')} error={c.req.query('error')} />
  return render(c, v.subject || '(no subject)', '/messages', body)
}

/** POST /ops/messages/:id/cancel: cancels (admin, or the key's own message), then back to its page. */
export async function cancelAction(deps: Deps, c: Context<OpsEnv>) {
  const v = await viewOr404(deps, c.req.param('id')!)
  if (!changeableBy(c.get('apiKey'), v)) throw new ApiError('insufficient_scope', 'this key needs the "admin" scope to cancel another key\'s message')
  try {
    await cancelMessage(deps, v.id)
  } catch (err) {
    if (err instanceof ApiError && err.code === 'conflict') return back(c, `/ops/messages/${v.id}`, { error: err.message })
    throw err
  }
  return back(c, `/ops/messages/${v.id}`, { done: 'Canceled.' })
}
