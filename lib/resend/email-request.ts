import { z } from 'zod'
import type { FieldIssue } from '../errors.js'
import { toFieldIssues } from '../field-issues.js'
import type { SendRequestInput } from '../send/send-request.js'
import { plainJsonIssues } from '../send/plain-json.js'
import { coveredBy, toResendField } from './field-paths.js'

const issue = (ctx: z.RefinementCtx, code: string, message: string, path: (string | number)[]) =>
  ctx.addIssue({ code: 'custom', message, path, params: { code } })

/** Any value, or none: the send pipeline checks values. */
const value = z.unknown().optional()

/** A field Resend has and Postern does not offer: absent or null is fine, anything else is refused, never ignored. */
const notOffered = (message: string) =>
  z
    .unknown()
    .optional()
    .refine((v) => v == null, { message, params: { code: 'not_supported' } })

/**
 * One attachment as Resend takes it. Values are left to Postern's SendRequest, the one source of the rules; only
 * the keys are checked here. `path` (a URL Resend would fetch) is refused: Postern never fetches URLs.
 */
const ResendAttachment = z.strictObject({ filename: value, content: value, content_type: value, content_id: value, path: value }).superRefine((a, ctx) => {
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
      issue(
        ctx,
        'natural_language_not_supported',
        'Postern takes scheduled_at only as ISO 8601 with an offset (2026-11-29T12:00:00Z), not in natural language',
        [],
      )
    }
  }),
  template: notOffered('Postern does not offer Resend templates: send html or text'),
  topic_id: notOffered('Postern does not offer Resend topics'),
})
export type ResendEmail = z.infer<typeof ResendEmail>

/** Drops absent and null fields, which Resend clients send for options left unset. */
const present = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v != null)) as Partial<T>

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v)

/** A Resend email mapped onto SendRequest, with what is wrong with its shape in Resend's terms. */
export interface MappedEmail {
  input: SendRequestInput
  /** Issues of the Resend shape (unknown fields, `path`, templates, `__proto__` keys, ...), at Resend's names after `prefix`. */
  issues: FieldIssue[]
}

/**
 * Maps a Resend email onto Postern's SendRequest input: `reply_to` -> `replyTo`, `scheduled_at` -> `sendAt`,
 * attachments' `content_type`/`content_id` -> `contentType`/`contentId`, `tags` [{ name, value }] -> `metadata`
 * { name: value }. The values are not checked here: the send pipeline validates the result. The issues are those of
 * the Resend shape and those the schema cannot see (plainJsonIssues: a `__proto__` key, which zod would drop
 * silently, or a lone surrogate), at Resend's names. The mapping is made even when there are issues, leaving out
 * what they refuse (a whole field, or one tag) and fields Resend does not have, so the pipeline can still report
 * what else is wrong: one answer names every problem.
 * A body that is not an object maps to an empty input with one issue at `prefix`.
 */
export function toSendRequestInput(body: unknown, prefix: (string | number)[] = []): MappedEmail {
  if (!isObject(body)) return { input: {} as SendRequestInput, issues: [{ path: prefix, code: 'invalid_type', message: 'must be a JSON object' }] }
  const parsed = ResendEmail.safeParse(body)
  const plain = plainJsonIssues(body, prefix)
  const at = (i: FieldIssue) => JSON.stringify(i.path)
  // A top-level __proto__ is also an unknown field to the shape: say it once.
  const shape = parsed.success ? [] : toFieldIssues(parsed.error.issues, prefix).filter((i) => !plain.some((p) => at(p) === at(i)))
  const issues = [...plain, ...shape]
  const refused = (path: (string | number)[]) => coveredBy(issues, { path: [...prefix, ...path], code: '', message: '' }, prefix)
  const e = body
  const attachments = Array.isArray(e.attachments)
    ? e.attachments.map((a) => (isObject(a) ? present({ filename: a.filename, content: a.content, contentType: a.content_type, contentId: a.content_id }) : a))
    : e.attachments
  const tags = Array.isArray(e.tags)
    ? e.tags.filter((t, i): t is Record<string, unknown> => isObject(t) && typeof t.name === 'string' && !refused(['tags', i]))
    : undefined
  const fields = {
    from: e.from,
    to: e.to,
    cc: e.cc,
    bcc: e.bcc,
    replyTo: e.reply_to,
    subject: e.subject,
    html: e.html,
    text: e.text,
    headers: e.headers,
    attachments,
    metadata: tags ? Object.fromEntries(tags.map((t) => [t.name, t.value])) : undefined,
    sendAt: e.scheduled_at,
  }
  // A field already refused whole is left out, so the pipeline's checks of the rest (limits, html or text) still run.
  const input = present(Object.fromEntries(Object.entries(fields).filter(([k]) => !refused([toResendField(k)])))) as SendRequestInput
  return { input, issues }
}
