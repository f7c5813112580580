import { z } from 'zod'
import { ApiError } from '../http/errors.js'
import { toFieldIssues } from '../http/field-issues.js'
import type { SendRequestInput } from '../send/send-request.js'

const issue = (ctx: z.RefinementCtx, code: string, message: string, path: (string | number)[]) =>
  ctx.addIssue({ code: 'custom', message, path, params: { code } })

/** Any value, or none: the send pipeline checks values. */
const value = z.unknown().optional()

/** A field Resend has and Postern does not offer: absent or null is fine, anything else is refused, never ignored. */
const notOffered = (message: string) => z.unknown().optional().refine((v) => v == null, { message, params: { code: 'not_supported' } })

/**
 * One attachment as Resend takes it. Values are left to Postern's SendRequest, the one source of the rules; only
 * the keys are checked here. `path` (a URL Resend would fetch) is refused: Postern never fetches URLs.
 */
const ResendAttachment = z
  .strictObject({ filename: value, content: value, content_type: value, content_id: value, path: value })
  .superRefine((a, ctx) => {
    if (a.path != null) issue(ctx, 'path_not_supported', 'Postern never fetches attachments from a URL: send the file as base64 `content`', ['path'])
  })

/** A Resend tag; Postern stores tags as metadata, name -> value, so a name may appear once. */
const ResendTag = z.strictObject({ name: z.string(), value })

/**
 * The body of Resend's `POST /emails` (https://resend.com/docs/api-reference/emails/send-email), checked for its keys
 * and structure only. `scheduled_at` must be ISO 8601: Resend's natural language ("in 1 min") is refused.
 */
export const ResendEmail = z.strictObject({
  from: value,
  to: value,
  cc: value,
  bcc: value,
  reply_to: value,
  subject: value,
  html: value,
  text: value,
  headers: value,
  attachments: z.array(ResendAttachment).nullish(),
  tags: z
    .array(ResendTag)
    .nullish()
    .superRefine((tags, ctx) => {
      const seen = new Set<string>()
      tags?.forEach((t, i) => {
        if (seen.has(t.name)) issue(ctx, 'duplicate_tag', `the tag name ${JSON.stringify(t.name)} appears more than once`, [i, 'name'])
        seen.add(t.name)
      })
    }),
  scheduled_at: value.superRefine((v, ctx) => {
    // An ISO 8601 date starts with its year; anything else is Resend's natural language.
    if (typeof v === 'string' && !/^\d{4}-/.test(v)) {
      issue(ctx, 'natural_language_not_supported', 'Postern takes scheduled_at only as ISO 8601 with an offset (2026-11-29T12:00:00Z), not in natural language', [])
    }
  }),
  template: notOffered('Postern does not offer Resend templates: send html or text'),
  topic_id: notOffered('Postern does not offer Resend topics'),
})
export type ResendEmail = z.infer<typeof ResendEmail>

/** Drops absent and null fields, which Resend clients send for options left unset. */
const present = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v != null)) as Partial<T>

/**
 * Maps a Resend email onto Postern's SendRequest input: `reply_to` -> `replyTo`, `scheduled_at` -> `sendAt`,
 * attachments' `content_type`/`content_id` -> `contentType`/`contentId`, `tags` [{ name, value }] -> `metadata`
 * { name: value }. The values are not checked here: the send pipeline validates the result.
 * @throws ApiError validation_failed with the issues at Resend's field names (`prefix` first, for a batch index).
 */
export function toSendRequestInput(body: unknown, prefix: (string | number)[] = []): SendRequestInput {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError('validation_failed', 'the email must be a JSON object', [{ path: prefix, code: 'invalid_type', message: 'must be a JSON object' }])
  }
  const parsed = ResendEmail.safeParse(body)
  if (!parsed.success) throw new ApiError('validation_failed', 'the request has invalid fields', toFieldIssues(parsed.error.issues, prefix))
  const e = parsed.data
  return present({
    from: e.from,
    to: e.to,
    cc: e.cc,
    bcc: e.bcc,
    replyTo: e.reply_to,
    subject: e.subject,
    html: e.html,
    text: e.text,
    headers: e.headers,
    attachments: e.attachments?.map((a) => present({ filename: a.filename, content: a.content, contentType: a.content_type, contentId: a.content_id })),
    metadata: e.tags ? Object.fromEntries(e.tags.map((t) => [t.name, t.value])) : undefined,
    sendAt: e.scheduled_at,
  }) as SendRequestInput
}
