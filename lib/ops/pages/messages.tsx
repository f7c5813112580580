import { Hono } from 'hono'
import type { Deps } from '../../deps.js'
import { messageListQuery } from '../../http/routes/list-messages.js'
import { listMessages, type MessageListItem } from '../../logs/list-messages.js'
import { MESSAGE_STATUSES } from '../../logs/message-index.js'
import { Badge, Filters, Pager, Table, Time } from '../components.js'
import { parseFilters, queryOf, render } from '../render.js'
import type { OpsEnv } from '../security.js'
import { cancelAction, messagePage } from './message.js'

const FILTERS = ['status', 'to', 'from', 'tag', 'since', 'until'] as const

const Rows = (p: { items: MessageListItem[] }) => (
  <Table head={['Accepted', 'Status', 'Subject', 'To', 'From', 'Tags', 'Attempts']} id="messages">
    {p.items.map((m) => (
      <tr>
        <td>
          <Time iso={m.createdAt} />
        </td>
        <td>
          <Badge status={m.status} />
        </td>
        <td>
          <a href={`/ops/messages/${m.id}`}>{m.subject || '(no subject)'}</a>
        </td>
        <td>{[...m.to, ...m.cc, ...m.bcc].join(', ')}</td>
        <td>{m.from}</td>
        <td>{m.tags.join(', ')}</td>
        <td class="n">{m.attempts}</td>
      </tr>
    ))}
  </Table>
)

/** /ops/messages: the outbound list (GET /v1/messages's filters and pages, newest first), a message, cancel. */
export function messagePages(deps: Deps) {
  const app = new Hono<OpsEnv>()
  const schema = messageListQuery(() => deps.clock.now())

  app.get('/', async (c) => {
    const q = parseFilters(c, schema)
    const page = await listMessages(
      deps,
      c.get('apiKey'),
      { status: q.status, to: q.to, from: q.from, tag: q.tag, sinceMs: q.since, untilMs: q.until },
      { limit: q.limit, cursor: q.cursor },
    )
    const shown = queryOf(c, [...FILTERS, 'limit'])
    const body = (
      <>
        <Filters
          action="/ops/messages"
          fields={[
            { name: 'status', label: 'Status', value: shown.status, options: MESSAGE_STATUSES },
            { name: 'to', label: 'To', value: shown.to, placeholder: 'carol@example.com' },
            { name: 'from', label: 'From', value: shown.from },
            { name: 'tag', label: 'Tag', value: shown.tag },
            { name: 'since', label: 'Since', value: shown.since, placeholder: '1h, 2026-12-02' },
            { name: 'until', label: 'Until', value: shown.until },
          ]}
        />
        <Rows items={page.data} />
        {page.data.length === 0 && <p class="muted">No message matches.</p>}
        <Pager path="/ops/messages" query={shown} nextCursor={page.nextCursor} />
      </>
    )
    return render(c, 'Outbound messages', '/messages', body)
  })
  app.get('/:id', (c) => messagePage(deps, c))
  app.post('/:id/cancel', (c) => cancelAction(deps, c))
  return app
}
