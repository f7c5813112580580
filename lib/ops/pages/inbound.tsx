import { Hono } from 'hono'
import type { Deps } from '../../deps.js'
import { inboundListQuery } from '../../http/routes/inbound.js'
import type { InboundSummary } from '../../logs/inbound-index.js'
import { listInbound } from '../../logs/list-inbound.js'
import { Filters, Pager, Table, Time } from '../components.js'
import { parseFilters, queryOf, render } from '../render.js'
import type { OpsEnv } from '../security.js'
import { inboundMessagePages } from './inbound-message.js'

const FILTERS = ['mailbox', 'from', 'to', 'subject', 'since', 'until', 'limit'] as const

const Rows = (p: { items: InboundSummary[] }) => (
  <Table head={['Received', 'Subject', 'From', 'To', 'Mailbox', 'Bytes', 'Files']} id="inbound-list">
    {p.items.map((m) => (
      <tr>
        <td>
          <Time iso={m.receivedAt} />
        </td>
        <td>
          <a href={`/ops/inbound/${m.mailbox}/${m.id}`}>{m.subject || '(no subject)'}</a>
        </td>
        <td>{m.from.join(', ')}</td>
        <td>{[...m.to, ...m.cc].join(', ')}</td>
        <td>{m.mailbox}</td>
        <td class="n">{m.size}</td>
        <td class="n">{m.attachments}</td>
      </tr>
    ))}
  </Table>
)

/** /ops/inbound: received mail (GET /v1/inbound's filters and pages, newest first), and each message's pages. */
export function inboundPages(deps: Deps) {
  const app = new Hono<OpsEnv>()
  const schema = inboundListQuery(() => deps.clock.now())
  app.get('/', async (c) => {
    const q = parseFilters(c, schema)
    const page = await listInbound(
      deps,
      { mailbox: q.mailbox, from: q.from, to: q.to, subject: q.subject, sinceMs: q.since, untilMs: q.until },
      { limit: q.limit, cursor: q.cursor },
    )
    const shown = queryOf(c, FILTERS)
    const body = (
      <>
        <Filters
          action="/ops/inbound"
          fields={[
            { name: 'mailbox', label: 'Mailbox', value: shown.mailbox, options: deps.config.mailboxes.map((m) => m.id) },
            { name: 'from', label: 'From', value: shown.from },
            { name: 'to', label: 'To', value: shown.to },
            { name: 'subject', label: 'Subject contains', value: shown.subject },
            { name: 'since', label: 'Since', value: shown.since, placeholder: '1h, 2026-12-02' },
            { name: 'until', label: 'Until', value: shown.until },
          ]}
        />
        <Rows items={page.data} />
        {page.data.length === 0 && <p class="muted">{page.nextCursor ? 'None on this page: look further.' : 'No message matches.'}</p>}
        <Pager path="/ops/inbound" query={shown} nextCursor={page.nextCursor} />
      </>
    )
    return render(c, 'Inbound messages', '/inbound', body)
  })
  app.route('/', inboundMessagePages(deps))
  return app
}
