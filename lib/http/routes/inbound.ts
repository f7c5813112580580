import { Hono, type Context } from 'hono'
import contentDisposition from 'content-disposition'
import { z } from 'zod'
import type { Deps } from '../../deps.js'
import { ApiError } from '../../errors.js'
import { listInbound } from '../../logs/list-inbound.js'
import { findInbound, readInboundAttachment, readInboundDocument, readInboundRaw, type InboundRef } from '../../logs/read-inbound.js'
import { requireScope } from '../../scopes.js'
import type { AppEnv } from '../app-env.js'
import { pageQuery, parseQuery, queryString } from '../query.js'

/** The query of `GET /v1/inbound` (docs/api.md "Received mail"). */
export const inboundListQuery = (now: () => number) =>
  z.strictObject({
    mailbox: queryString('A configured mailbox id.', 'support').optional(),
    from: queryString('A From or Sender address; case-insensitive.', 'carol@example.com').optional(),
    to: queryString('A To or Cc address; case-insensitive.', 'support@example.com').optional(),
    subject: queryString('A substring of the Subject; case-insensitive. Scans up to 500 entries per call.', 'invoice').optional(),
    ...pageQuery(now, 'Received'),
  })

/** The query of the single-message routes: which mailbox, when the same message is in several. */
export const inboundItemQuery = z.strictObject({
  mailbox: queryString('The mailbox, when the same message was received in several; default the first.', 'support').optional(),
  expires: z.string().max(20).optional().meta({ description: 'Signed URLs only: when the URL expires, unix seconds.' }),
  signature: z.string().max(100).optional().meta({ description: 'Signed URLs only: HMAC-SHA256 of the request (docs/api.md "Signed URLs").' }),
})

/** A MIME type as RFC 6838 §4.2 allows (lower-cased by the normalizer), else none to pass on. */
const SAFE_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/

/** An ASCII `filename` for clients without RFC 5987 support: accents dropped, anything else non-ASCII as `?`. */
const asciiFallback = (name: string) =>
  name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '?')

/** Headers for bytes a sender chose: downloaded, never sniffed or run in the gateway's origin. */
export const downloadHeaders = (contentType: string, filename: string) => ({
  'content-type': SAFE_TYPE.test(contentType) ? contentType : 'application/octet-stream',
  // RFC 6266 with an RFC 5987 `filename*` for non-ASCII names, and an ASCII fallback.
  'content-disposition': contentDisposition(filename, { type: 'attachment', fallback: asciiFallback(filename) }),
  'x-content-type-options': 'nosniff',
  'content-security-policy': "sandbox; default-src 'none'",
  'cache-control': 'private, no-store',
})

/** `/v1/inbound` routes: list, the JSON document, the raw message, an attachment. All need the `read` scope. */
export function inboundRoutes(deps: Deps) {
  const app = new Hono<AppEnv>()
  const listQuery = inboundListQuery(() => deps.clock.now())

  const found = async (c: Context<AppEnv>): Promise<InboundRef> => {
    // A signed URL (lib/signed-url.ts) stands for the read right to exactly this path and query.
    if (!c.get('signedUrl')) requireScope(c.get('apiKey'), 'read', 'read received mail')
    const q = parseQuery(c, inboundItemQuery)
    const ref = await findInbound(deps, c.req.param('id')!, q.mailbox)
    if (!ref) throw new ApiError('not_found', 'no received message has this id')
    return ref
  }
  const missing = () => new ApiError('not_found', 'the message is no longer stored')

  app.get('/', async (c) => {
    requireScope(c.get('apiKey'), 'read', 'list received mail')
    const q = parseQuery(c, listQuery)
    const filters = { mailbox: q.mailbox, from: q.from, to: q.to, subject: q.subject, sinceMs: q.since, untilMs: q.until }
    return c.json(await listInbound(deps, filters, { limit: q.limit, cursor: q.cursor }))
  })

  app.get('/:id', async (c) => {
    const doc = await readInboundDocument(deps, await found(c))
    if (!doc) throw missing()
    return c.body(new Uint8Array(doc), 200, { 'content-type': 'application/json; charset=utf-8' })
  })

  app.get('/:id/raw', async (c) => {
    const ref = await found(c)
    const raw = await readInboundRaw(deps, ref)
    if (!raw) throw missing()
    return c.body(new Uint8Array(raw), 200, { ...downloadHeaders('message/rfc822', `${ref.id}.eml`) })
  })

  app.get('/:id/attachments/:attachmentId', async (c) => {
    const att = await readInboundAttachment(deps, await found(c), c.req.param('attachmentId'))
    if (!att) throw new ApiError('not_found', 'the message has no attachment with this id')
    return c.body(new Uint8Array(att.body), 200, downloadHeaders(att.contentType, att.safeFilename))
  })
  return app
}
