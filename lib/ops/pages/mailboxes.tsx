import { Hono } from 'hono'
import type { Deps } from '../../deps.js'
import { ApiError } from '../../errors.js'
import { listMailboxes, type MailboxView } from '../../inbound/mailbox-view.js'
import type { ReconcileGap, ReconcileReport } from '../../inbound/reconcile.js'
import { Badge, Table, Time } from '../components.js'
import { render } from '../render.js'
import type { OpsEnv } from '../security.js'

/** Reconcile brings the mail clients and the normalizer: loaded on first use, so the HTTP function starts without them. */
const reconcile = () => import('../../inbound/reconcile.js')

const cursorText = (c: MailboxView['cursor']) =>
  !c
    ? '—'
    : 'seenUidls' in c
      ? `${c.seenUidls} UIDLs seen`
      : Object.entries(c.folders)
          .map(([f, v]) => `${f}: UIDVALIDITY ${v.uidValidity}, UID ${v.lastUid}`)
          .join('; ')

const minutes = (ms: number | null) => (ms === null ? '—' : ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`)

const List = (p: { rows: MailboxView[] }) => (
  <Table head={['Mailbox', 'Server', 'Last poll', 'Outcome', 'Found', 'Stored', 'Dupes', 'Failed', 'Error', 'Lag', 'Cursor', '']} id="mailboxes">
    {p.rows.map((m) => (
      <tr>
        <td>{m.id}</td>
        <td class="mono">
          {m.protocol} {m.user}@{m.host}
          {m.port ? `:${m.port}` : ''}
        </td>
        <td>
          <Time iso={m.lastPoll?.at} />
        </td>
        <td>{m.lastPoll ? <Badge status={m.lastPoll.outcome} /> : '—'}</td>
        <td class="n">{m.lastPoll?.found ?? '—'}</td>
        <td class="n">{m.lastPoll?.stored ?? '—'}</td>
        <td class="n">{m.lastPoll?.duplicates ?? '—'}</td>
        <td class="n">{m.lastPoll?.failed ?? '—'}</td>
        <td class="mono">{m.lastPoll?.error ?? '—'}</td>
        <td class="nowrap">{minutes(m.lagMs)}</td>
        <td class="mono">{cursorText(m.cursor)}</td>
        <td>
          <a href={`/ops/mailboxes/${m.id}/reconcile`}>Reconcile</a>
        </td>
      </tr>
    ))}
  </Table>
)

/** One gap in words: what is missing and where. */
function gapText(g: ReconcileGap): [string, string] {
  switch (g.kind) {
    case 'not_stored':
      return [g.kind, `${g.folder ? `${g.folder} UID ${g.uid}` : `UIDL ${g.uidl}`}: ${g.nextPoll ? 'the next poll takes it' : 'the next poll resyncs it'}`]
    case 'uidvalidity_changed':
      return [g.kind, `${g.folder}: UIDVALIDITY ${g.serverUidValidity} on the server, ${g.cursorUidValidity} in the cursor`]
    case 'not_committed':
      return [g.kind, `${g.messageId}: stored without its marker; the next poll that sees it completes it`]
    case 'not_acknowledged':
      return [g.kind, `${g.messageId}: event ${g.eventId} to ${g.endpointId} is ${g.status}`]
  }
}

const Report = (p: { r: ReconcileReport }) => (
  <>
    <dl class="kv" id="reconcile">
      <dt>Checked</dt>
      <dd>
        <Time iso={p.r.checkedAt} />
      </dd>
      <dt>On the server</dt>
      <dd>
        {p.r.server.protocol === 'imap'
          ? p.r.server.folders.map((f) => `${f.folder}: ${f.messages} (UIDVALIDITY ${f.uidValidity})`).join('; ')
          : `${p.r.server.messages} messages${p.r.server.uidl ? '' : ' (no UIDL)'}, ${p.r.server.seen} seen`}
      </dd>
      <dt>Stored</dt>
      <dd>
        {p.r.stored.messages} messages, {p.r.stored.committed} complete
      </dd>
      <dt>Gaps</dt>
      <dd id="gap-count">{p.r.gaps.length}</dd>
    </dl>
    <h2>Gaps</h2>
    {p.r.gaps.length === 0 ? (
      <p class="flash" role="status">
        Nothing missing: everything on the server is stored and every event was acknowledged.
      </p>
    ) : (
      <Table head={['Kind', 'What']} id="gaps">
        {p.r.gaps.map((g) => {
          const [kind, what] = gapText(g)
          return (
            <tr>
              <td class="nowrap">{kind}</td>
              <td class="mono">{what}</td>
            </tr>
          )
        })}
      </Table>
    )}
  </>
)

/** /ops/mailboxes: each mailbox's last poll, cursor and lag; `/:id/reconcile` compares it with the server now. */
export function mailboxPages(deps: Deps) {
  const app = new Hono<OpsEnv>()
  app.get('/', async (c) => render(c, 'Mailboxes', '/mailboxes', <List rows={await listMailboxes(deps)} />))
  app.get('/:id/reconcile', async (c) => {
    const mb = deps.config.mailboxes.find((m) => m.id === c.req.param('id'))
    if (!mb) throw new ApiError('not_found', 'no mailbox has this id')
    try {
      return render(c, `Reconcile ${mb.id}`, '/mailboxes', <Report r={await (await reconcile()).reconcileMailbox(deps, mb)} />)
    } catch (err) {
      if (err instanceof (await reconcile()).MailboxUnreachableError) throw new ApiError('mailbox_unreachable', err.message)
      throw err
    }
  })
  return app
}
