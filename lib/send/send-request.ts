import { z } from 'zod'
import { hasLineBreak, parseMailbox, type Mailbox } from './address.js'

/** A zod issue code of our own, carried in `params.code` and rendered as the issue's `code`. */
const fail = (ctx: z.RefinementCtx, code: string, message: string, path: (string | number)[] = []) =>
  ctx.addIssue({ code: 'custom', message, path, params: { code } })

/** Text that becomes part of a header: CR, LF or NUL in it would start a new header (header injection). */
export const HeaderText = z.string().refine((s) => !hasLineBreak(s), { message: 'must not contain CR, LF or NUL', params: { code: 'header_injection' } })

const AddressObject = z.strictObject({ name: z.string().max(256).optional(), address: z.string().max(320) })

/** One mailbox: `"a@example.com"`, `"Name <a@example.com>"` or `{ name, address }`; the domain is relayed as punycode. */
export const Address = z
  .union([z.string().max(600), AddressObject])
  .transform((v, ctx): Mailbox => {
    const m = parseMailbox(v)
    if ('code' in m) {
      fail(ctx, m.code, m.message)
      return z.NEVER
    }
    return m
  })
  .meta({ description: 'An address: "a@example.com", "Name <a@example.com>" or { "name": "Name", "address": "a@example.com" }' })

/** One address or a list of them, always returned as a list. */
export const AddressList = z.union([Address, z.array(Address).min(1).max(1000)]).transform((v) => (Array.isArray(v) ? v : [v]))

/**
 * Headers Postern writes itself (RFC 5322 §3.6 originator, destination and identification fields, and MIME).
 * A request may not set them through `headers`.
 */
const RESERVED_HEADER = /^(from|sender|to|cc|bcc|reply-to|subject|message-id|date|return-path|mime-version|content-.*|mime-.*)$/i
// RFC 5322 §2.2 field-name: printable US-ASCII except colon.
const FIELD_NAME = /^[!-9;-~]{1,76}$/

export const CustomHeaders = z.record(z.string(), z.string().max(4000)).superRefine((headers, ctx) => {
  for (const [name, value] of Object.entries(headers)) {
    if (!FIELD_NAME.test(name)) fail(ctx, 'invalid_header_name', 'a header name is 1 to 76 printable ASCII characters without ":" (RFC 5322 §2.2)', [name])
    else if (RESERVED_HEADER.test(name)) fail(ctx, 'reserved_header', `${name} is set by Postern; use the request's own field`, [name])
    if (hasLineBreak(value)) fail(ctx, 'header_injection', 'must not contain CR, LF or NUL', [name])
  }
})

/** Standard base64 (RFC 4648 §4) without line breaks. */
export const Base64 = z
  .string()
  .refine((s) => s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s), { message: 'must be standard base64 (RFC 4648 §4) without line breaks', params: { code: 'invalid_base64' } })

/** Decoded length in bytes of a valid base64 string. */
export const base64Bytes = (s: string) => (s.length / 4) * 3 - (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0)

const ContentType = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/, 'must be a MIME type like application/pdf')

/** An attachment, with its content inline as base64: Postern never reads a path or fetches a URL. */
export const Attachment = z.strictObject({
  filename: HeaderText.pipe(z.string().min(1).max(255)),
  content: Base64,
  contentType: ContentType.optional(),
  /** For inline images referenced as `cid:<contentId>` in the html. */
  contentId: HeaderText.pipe(z.string().min(1).max(255)).transform((s) => s.replace(/^<|>$/g, '')).optional(),
  /** Defaults to `inline` when contentId is set, else `attachment`. */
  disposition: z.enum(['attachment', 'inline']).optional(),
})

export const Tag = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'a tag is 1 to 64 letters, digits or _ . : -')
export const Metadata = z
  .record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a metadata key is 1 to 64 letters, digits or _ . -'), z.string().max(1024))
  .refine((m) => Object.keys(m).length <= 50, { message: 'at most 50 metadata keys', params: { code: 'too_many_keys' } })

/** The body of `POST /v1/messages`: the one source of validation, types and the OpenAPI document. */
export const SendRequest = z
  .strictObject({
    from: Address,
    to: AddressList,
    cc: AddressList.optional(),
    bcc: AddressList.optional(),
    replyTo: AddressList.optional(),
    subject: HeaderText.pipe(z.string().max(2000)),
    text: z.string().optional(),
    html: z.string().optional(),
    attachments: z.array(Attachment).max(100).optional(),
    headers: CustomHeaders.optional(),
    tags: z.array(Tag).max(20).optional(),
    metadata: Metadata.optional(),
    /** ISO 8601 with an offset; the message is held until then (at most `limits.maxScheduleMs` ahead). */
    sendAt: z.iso.datetime({ offset: true }).optional(),
  })
  .superRefine((req, ctx) => {
    if (req.text === undefined && req.html === undefined) fail(ctx, 'missing_body', 'text or html is required', ['text'])
  })
export type SendRequest = z.infer<typeof SendRequest>
export type SendRequestInput = z.input<typeof SendRequest>

/** Decoded size of what a message carries (text, html, attachments), in bytes. */
export const decodedBytes = (req: SendRequest) =>
  Buffer.byteLength(req.text ?? '') + Buffer.byteLength(req.html ?? '') + (req.attachments ?? []).reduce((n, a) => n + base64Bytes(a.content), 0)

/** Every recipient of the envelope (RCPT TO), in request order. */
export const envelopeRecipients = (req: SendRequest) => [...req.to, ...(req.cc ?? []), ...(req.bcc ?? [])].map((m) => m.address)
