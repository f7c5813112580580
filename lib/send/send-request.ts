import { z } from 'zod'
import { hasLineBreak, parseMailbox, type Mailbox } from './address.js'

/** A zod issue code of our own, carried in `params.code` and rendered as the issue's `code`. */
const fail = (ctx: z.RefinementCtx, code: string, message: string, path: (string | number)[] = []) =>
  ctx.addIssue({ code: 'custom', message, path, params: { code } })

/** Text that becomes part of a header: CR, LF or NUL in it would start a new header (header injection). */
export const HeaderText = z.string().refine((s) => !hasLineBreak(s), { message: 'must not contain CR, LF or NUL', params: { code: 'header_injection' } })

/**
 * An RFC 2047 encoded-word (`=?charset?B?...?=` or `?Q?`, spaces in its text included, as lenient decoders read
 * it). nodemailer sends ASCII text as it is, so receivers would decode one written literally in a subject, a
 * display name or a file name: a subject decoding to CR LF and a header, a name decoding to a brand's. Refused
 * with code `encoded_word` (docs/sending.md); Postern encodes non-ASCII text itself.
 */
const ENCODED_WORD = /=\?[^?\s]+\?[BbQq]\?[^?]*\?=/
const ENCODED_WORD_MESSAGE = 'must not contain an RFC 2047 encoded-word (=?charset?B?...?=): receivers would decode it; send the text itself'
const noEncodedWord = { message: ENCODED_WORD_MESSAGE, params: { code: 'encoded_word' } }
const hasNoEncodedWord = (s: string) => !ENCODED_WORD.test(s)

const AddressObject = z.strictObject({
  name: z.string().max(256).optional().meta({ description: 'Display name, encoded by Postern when not ASCII (RFC 2047).', example: 'Carol Smith' }),
  address: z.string().max(320).meta({ description: 'The address (RFC 5321 Mailbox; a non-ASCII domain is sent as punycode).', example: 'carol@example.com' }),
})

/** One mailbox: `"a@example.com"`, `"Name <a@example.com>"` or `{ name, address }`; the domain is relayed as punycode. */
export const Address = z
  .union([z.string().max(600), AddressObject])
  .transform((v, ctx): Mailbox => {
    const m = parseMailbox(v)
    if ('code' in m) {
      fail(ctx, m.code, m.message)
      return z.NEVER
    }
    if (m.name && !hasNoEncodedWord(m.name)) {
      fail(ctx, 'encoded_word', `the display name ${ENCODED_WORD_MESSAGE}`)
      return z.NEVER
    }
    return m
  })
  .meta({ description: 'An address: "a@example.com", "Name <a@example.com>" or { "name": "Name", "address": "a@example.com" }' })

/** One address or a list of them, always returned as a list; how many is `limits.maxRecipients`, checked first. */
export const AddressList = z.union([Address, z.array(Address).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]))

/**
 * Headers Postern writes itself (RFC 5322 §3.6 originator, destination and identification fields, and MIME), and
 * headers only relays and receivers write: trace fields (§3.6.6 Resent-*, §3.6.7 Received, Delivered-To, RFC 7208
 * Received-SPF), signatures and their results (RFC 6376 DKIM-Signature, RFC 8617 ARC-*, RFC 8601
 * Authentication-Results). A request may not set them through `headers`, whatever its key.
 */
const RESERVED_HEADER =
  /^(from|sender|to|cc|bcc|reply-to|subject|message-id|date|return-path|mime-version|content-.*|mime-.*|resent-.*|received|received-spf|delivered-to|dkim-signature|domainkey-signature|arc-.*|authentication-results)$/i
// RFC 5322 §2.2 field-name: printable US-ASCII except colon.
const FIELD_NAME = /^[!-9;-~]{1,76}$/
/** At most this many custom headers, of at most this many octets of names and values together. */
export const MAX_HEADERS = 50
export const MAX_HEADER_BYTES = 16 * 1024
/**
 * The longest run of printable ASCII without a space a header value may carry. Mail generators fold only at white
 * space, and a line may not exceed 998 octets (RFC 5322 §2.1.1): 900, plus a 76-octet name and ": ", fits.
 * Runs with non-ASCII characters are RFC 2047 encoded-words, which are folded.
 */
export const MAX_UNBROKEN_RUN = 900
const UNBROKEN = new RegExp(`[!-~]{${MAX_UNBROKEN_RUN + 1}}`)
const tooLong = (s: string) => UNBROKEN.test(s)

/**
 * Custom headers, name -> value: at most MAX_HEADERS, MAX_HEADER_BYTES in all; names unique ignoring case (one
 * In-Reply-To); no reserved, empty or unfoldable values.
 */
export const CustomHeaders = z.record(z.string(), z.string().max(4000)).superRefine((headers, ctx) => {
  const entries = Object.entries(headers)
  if (entries.length > MAX_HEADERS) fail(ctx, 'too_many_headers', `at most ${MAX_HEADERS} headers`)
  const bytes = entries.reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0)
  if (bytes > MAX_HEADER_BYTES) fail(ctx, 'too_big', `at most ${MAX_HEADER_BYTES} octets of header names and values, not ${bytes}`)
  const seen = new Set<string>()
  for (const [name, value] of entries) {
    if (!FIELD_NAME.test(name)) fail(ctx, 'invalid_header_name', 'a header name is 1 to 76 printable ASCII characters without ":" (RFC 5322 §2.2)', [name])
    else if (RESERVED_HEADER.test(name)) fail(ctx, 'reserved_header', `${name} is set by Postern or by relays; use the request's own field`, [name])
    else if (seen.has(name.toLowerCase())) fail(ctx, 'duplicate_header', `${name} is set twice (header names ignore case)`, [name])
    seen.add(name.toLowerCase())
    if (hasLineBreak(value)) fail(ctx, 'header_injection', 'must not contain CR, LF or NUL', [name])
    else if (value.trim() === '') fail(ctx, 'empty_header', 'a header value must not be empty', [name])
    else if (tooLong(value))
      fail(ctx, 'too_long', `a run of more than ${MAX_UNBROKEN_RUN} characters without a space cannot be folded to 998 octets (RFC 5322 §2.1.1)`, [name])
  }
})

/** Standard base64 (RFC 4648 §4) without line breaks. */
export const Base64 = z.string().refine((s) => s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s), {
  message: 'must be standard base64 (RFC 4648 §4) without line breaks',
  params: { code: 'invalid_base64' },
})

/** Decoded length in bytes of a valid base64 string. */
export const base64Bytes = (s: string) => (s.length / 4) * 3 - (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0)

const ContentType = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/, 'must be a MIME type like application/pdf')

/**
 * Why `bytes` cannot be the body of a message/* part, or undefined when it can. Such a part is never encoded
 * (RFC 2046 §5.2.1), so it goes out as it is: CRLF line ends only, no NUL, lines of at most 998 octets (RFC 5322 §2.1.1).
 */
export function unencodedProblem(bytes: Buffer): string | undefined {
  const text = bytes.toString('latin1')
  if (text.includes('\0')) return 'contains NUL'
  if (/\r(?!\n)|(?<!\r)\n/.test(text)) return 'has a line end other than CRLF'
  if (text.split('\r\n').some((line) => line.length > 998)) return 'has a line longer than 998 octets'
  return undefined
}

// RFC 5322 §3.2.3 atext and ".": the msg-id form (§3.6.4) a Content-ID takes (RFC 2045 §7, RFC 2392).
const ID_PART = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+"
const CONTENT_ID = new RegExp(`^(?:<${ID_PART}(?:@${ID_PART})?>|${ID_PART}(?:@${ID_PART})?)$`)

/** An attachment, with its content inline as base64: Postern never reads a path or fetches a URL. */
export const Attachment = z
  .strictObject({
    filename: HeaderText.pipe(z.string().min(1).max(255))
      .refine(hasNoEncodedWord, noEncodedWord)
      .meta({ description: 'File name shown to the recipient (1 to 255 characters; no CR/LF, no encoded-words).', example: 'invoice-1042.pdf' }),
    content: Base64.meta({ description: 'The content, base64-encoded (RFC 4648 §4, padded).', example: 'JVBERi0xLjQK' }),
    contentType: ContentType.optional().meta({ description: 'MIME type; guessed from the file name when absent.', example: 'application/pdf' }),
    /** For inline images referenced as `cid:<contentId>` in the html: `id@domain` or `id`, ASCII, angle brackets optional. */
    contentId: HeaderText.pipe(z.string().max(255).regex(CONTENT_ID, 'must be an ASCII id like logo@example.com, without spaces (RFC 2392)'))
      .transform((s) => s.replace(/^<|>$/g, ''))
      .optional()
      .meta({ description: 'For an inline image referenced as `cid:<contentId>` in the html (RFC 2392).', example: 'logo@example.com' }),
    /** Defaults to `inline` when contentId is set, else `attachment`. */
    disposition: z
      .enum(['attachment', 'inline'])
      .optional()
      .meta({ description: '`inline` by default when contentId is set, else `attachment`.', example: 'attachment' }),
  })
  .superRefine((a, ctx) => {
    const type = a.contentType?.toLowerCase() ?? ''
    if (type.startsWith('multipart/')) {
      fail(ctx, 'invalid_content_type', 'a multipart/* type is structure Postern builds, not an attachment; send the parts, or application/octet-stream', [
        'contentType',
      ])
    } else if (type.startsWith('message/')) {
      const problem = unencodedProblem(Buffer.from(a.content, 'base64'))
      if (problem)
        fail(
          ctx,
          'invalid_content_type',
          `a message/* attachment is sent unencoded (RFC 2046 §5.2.1) and this content ${problem}; send it as application/octet-stream`,
          ['contentType'],
        )
    }
  })

export const Tag = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'a tag is 1 to 64 letters, digits or _ . : -')
export const Metadata = z
  .record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a metadata key is 1 to 64 letters, digits or _ . -'), z.string().max(1024))
  .refine((m) => Object.keys(m).length <= 50, { message: 'at most 50 metadata keys', params: { code: 'too_many_keys' } })

/** The body of `POST /v1/messages`: the one source of validation, types and the OpenAPI document. */
export const SendRequest = z
  .strictObject({
    from: Address.meta({
      description: 'The sender: `"Name <address>"`, a bare address, or `{ name, address }`; limited by the key\'s `allowedFrom`.',
      example: 'Shop <shop@example.com>',
    }),
    to: AddressList.meta({
      description: 'One address or a list (same forms as `from`); to + cc + bcc at most `limits.maxRecipients`.',
      example: ['carol@example.com'],
    }),
    cc: AddressList.optional().meta({ description: 'Cc addresses.', example: ['dan@example.com'] }),
    bcc: AddressList.optional().meta({ description: 'Bcc addresses: in the envelope only, never in the header.', example: ['audit@example.com'] }),
    replyTo: AddressList.optional().meta({ description: 'Reply-To addresses.', example: 'support@example.com' }),
    subject: HeaderText.pipe(z.string().max(2000))
      .refine((s) => !tooLong(s), {
        message: `a run of more than ${MAX_UNBROKEN_RUN} characters without a space cannot be folded to 998 octets (RFC 5322 §2.1.1)`,
        params: { code: 'too_long' },
      })
      .refine(hasNoEncodedWord, noEncodedWord)
      .meta({ description: 'The subject, up to 2000 characters; no CR/LF.', example: 'Your order #1042' }),
    text: z.string().optional().meta({ description: 'Plain-text body; `text`, `html` or both are required.', example: 'Thanks for your order.' }),
    html: z.string().optional().meta({ description: 'HTML body.', example: '<p>Thanks for your order.</p>' }),
    attachments: z.array(Attachment).max(100).optional().meta({ description: 'Up to 100 attachments, content inline as base64.' }),
    headers: CustomHeaders.optional().meta({
      description: 'Extra header fields (at most 50, 16 KiB); fields Postern sets itself (From, To, Message-ID...) are refused.',
      example: { 'List-Unsubscribe': '<mailto:unsubscribe@example.com>' },
    }),
    tags: z
      .array(Tag)
      .max(20)
      .optional()
      .meta({ description: 'Up to 20 tags (1 to 64 of A-Z a-z 0-9 _ . : -), for filtering and events.', example: ['orders'] }),
    metadata: Metadata.optional().meta({ description: 'Up to 50 string values, echoed in every event of the message.', example: { orderId: '1042' } }),
    /** ISO 8601 with an offset; the message is held until then (at most `limits.maxScheduleMs` ahead). */
    sendAt: z.iso
      .datetime({ offset: true })
      .optional()
      .meta({ description: 'Send later: ISO 8601 with an offset, at most `limits.maxScheduleMs` (7 days) ahead.', example: '2026-12-03T09:00:00+01:00' }),
  })
  // `when`: checked even while other fields are bad, so a request learns about every problem at once.
  .refine(
    (req: unknown) => !(req && typeof req === 'object') || (req as { text?: unknown }).text !== undefined || (req as { html?: unknown }).html !== undefined,
    {
      message: 'text or html is required',
      path: ['text'],
      params: { code: 'missing_body' },
      when: () => true,
    },
  )
export type SendRequest = z.infer<typeof SendRequest>
export type SendRequestInput = z.input<typeof SendRequest>

/** Decoded size of what a message carries (text, html, attachments), in bytes. */
export const decodedBytes = (req: SendRequest) =>
  Buffer.byteLength(req.text ?? '') + Buffer.byteLength(req.html ?? '') + (req.attachments ?? []).reduce((n, a) => n + base64Bytes(a.content), 0)
