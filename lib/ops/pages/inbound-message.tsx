import { Hono, type Context } from 'hono'
import type { Deps } from '../../deps.js'
import { ApiError } from '../../errors.js'
import type { Address, InboundMessage } from '../../normalize/inbound-message.js'
import { downloadHeaders } from '../../http/routes/inbound.js'
import { findInbound, readInboundAttachment, readInboundDocument, readInboundRaw, type InboundRef } from '../../logs/read-inbound.js'
import { Table, Time } from '../components.js'
import { render } from '../render.js'
import { mailHtmlCsp, type OpsEnv } from '../security.js'

const who = (xs: Address[]) => (xs.length ? xs.map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)).join(', ') : '—')

const Detail = (p: { m: InboundMessage; base: string }) => (
  <>
    <dl class="kv" id="inbound">
      <dt>From</dt>
      <dd>{who(p.m.from)}</dd>
      <dt>To</dt>
      <dd>{who(p.m.to)}</dd>
      {p.m.cc.length > 0 && (
        <>
          <dt>Cc</dt>
          <dd>{who(p.m.cc)}</dd>
        </>
      )}
      <dt>Date</dt>
      <dd>{p.m.date ? <Time iso={p.m.date} /> : (p.m.dateHeader ?? '—')}</dd>
      <dt>Received</dt>
      <dd>
        <Time iso={p.m.receivedAt} />
      </dd>
      <dt>Mailbox</dt>
      <dd>{p.m.mailbox}</dd>
      <dt>Message-ID</dt>
      <dd class="mono">{p.m.messageId ?? '—'}</dd>
      <dt>Size</dt>
      <dd>{p.m.size} bytes</dd>
      <dt>Raw</dt>
      <dd>
        <a href={`${p.base}/raw`} id="raw">
          Download message.eml
        </a>
      </dd>
      {p.m.report && (
        <>
          <dt>Report</dt>
          <dd>
            {p.m.report.kind} ({p.m.report.format}){' '}
            {p.m.report.linked && <a href={`/ops/messages/${p.m.report.linked.id}`}>about {p.m.report.linked.messageId}</a>}
          </dd>
        </>
      )}
    </dl>
    {p.m.html !== null && (
      <>
        <h2>HTML</h2>
        <p class="muted">Shown in a sandboxed frame: no script runs and nothing is loaded from the network.</p>
        <iframe class="mail" sandbox="" src={`${p.base}/html`} title="HTML body" referrerpolicy="no-referrer"></iframe>
      </>
    )}
    <h2>Text</h2>
    <pre id="text">{p.m.text ?? '(no text)'}</pre>
    {p.m.attachments.length > 0 && (
      <>
        <h2>Attachments</h2>
        <Table head={['Name', 'Type', 'Bytes', 'SHA-256']} id="attachments">
          {p.m.attachments.map((a) => (
            <tr>
              <td>
                <a href={`${p.base}/attachments/${a.id}`}>{a.filename ?? a.safeFilename}</a>
              </td>
              <td>{a.contentType}</td>
              <td class="n">{a.size}</td>
              <td class="mono">{a.sha256.slice(0, 16)}…</td>
            </tr>
          ))}
        </Table>
      </>
    )}
    {p.m.warnings.length > 0 && (
      <>
        <h2>Warnings</h2>
        <ul>
          {p.m.warnings.map((w) => (
            <li>
              <code>{w.code}</code> {w.detail}
            </li>
          ))}
        </ul>
      </>
    )}
    <h2>Headers</h2>
    <Table head={['Name', 'Value']} id="headers">
      {p.m.headers.map((h) => (
        <tr>
          <td class="mono nowrap">{h.name}</td>
          <td class="mono">{h.value}</td>
        </tr>
      ))}
    </Table>
  </>
)

/** The message's place and document, when `mailbox` is configured and holds it fully stored. */
async function docOr404(deps: Deps, c: Context<OpsEnv>): Promise<{ ref: InboundRef; m: InboundMessage }> {
  const mailbox = c.req.param('mailbox')!
  const ref = deps.config.mailboxes.some((mb) => mb.id === mailbox) ? await findInbound(deps, c.req.param('id')!, mailbox) : null
  const doc = ref && (await readInboundDocument(deps, ref))
  if (!ref || !doc) throw new ApiError('not_found', 'no stored message has this id in this mailbox')
  return { ref, m: JSON.parse(doc.toString('utf8')) as InboundMessage }
}

/**
 * /ops/inbound/:mailbox/:id: the parsed view; `/html`, the HTML body alone for the sandboxed frame (its own CSP:
 * `sandbox`, nothing loads); `/raw`, the exact bytes; `/attachments/:attachmentId`, one file, always as a download.
 */
export function inboundMessagePages(deps: Deps) {
  const app = new Hono<OpsEnv>()
  app.get('/:mailbox/:id', async (c) => {
    const { m } = await docOr404(deps, c)
    return render(c, m.subject || '(no subject)', '/inbound', <Detail m={m} base={`/ops/inbound/${m.mailbox}/${m.id}`} />)
  })

  app.get('/:mailbox/:id/html', async (c) => {
    const { m } = await docOr404(deps, c)
    c.header('content-security-policy', mailHtmlCsp)
    c.header('x-frame-options', 'SAMEORIGIN')
    return c.body(m.html ?? '', 200, { 'content-type': 'text/html; charset=utf-8' })
  })

  app.get('/:mailbox/:id/raw', async (c) => {
    const { ref } = await docOr404(deps, c)
    const raw = await readInboundRaw(deps, ref)
    if (!raw) throw new ApiError('not_found', 'the stored message is missing')
    return c.body(new Uint8Array(raw), 200, downloadHeaders('message/rfc822', `${ref.id}.eml`))
  })

  // Always a download under a sandbox CSP, never rendered here: an attachment is the sender's content.
  app.get('/:mailbox/:id/attachments/:attachmentId', async (c) => {
    const { ref } = await docOr404(deps, c)
    const a = await readInboundAttachment(deps, ref, c.req.param('attachmentId'))
    if (!a) throw new ApiError('not_found', 'the message has no attachment with this id')
    return c.body(new Uint8Array(a.body), 200, downloadHeaders(a.contentType, a.safeFilename))
  })
  return app
}
