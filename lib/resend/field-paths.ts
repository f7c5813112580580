import type { FieldIssue } from '../http/errors.js'

/** SendRequest field names that Resend spells otherwise (top level, and inside one attachment). */
const TOP: Record<string, string> = { replyTo: 'reply_to', sendAt: 'scheduled_at' }
const ATTACHMENT: Record<string, string> = { contentType: 'content_type', contentId: 'content_id' }
// Codes that already say what is wrong with an absent field.
const KEEP_CODE = new Set(['unknown_field', 'missing_body'])

/**
 * Rewrites an issue of the shared send pipeline into the Resend request's terms: `replyTo` becomes `reply_to`,
 * `attachments.0.contentType` becomes `attachments.0.content_type`, `metadata.<name>` becomes `tags.<index>` (Resend
 * tags are stored as Postern metadata), and an issue on a top-level field the request left out gets the code
 * `missing_field`. `prefix` is the part of the path before the email (a batch index); `email` is the Resend body.
 */
export function toResendIssue(issue: FieldIssue, email: unknown, prefix: (string | number)[] = []): FieldIssue {
  const rest = issue.path.slice(prefix.length)
  const [field, ...sub] = rest
  const body = (email && typeof email === 'object' ? email : {}) as Record<string, unknown>
  let path: (string | number)[]
  if (field === 'metadata' && sub.length > 0) {
    const tags = Array.isArray(body.tags) ? (body.tags as { name?: unknown }[]) : []
    path = ['tags', tags.findIndex((t) => t?.name === sub[0])]
  } else if (field === 'attachments' && sub.length === 2) {
    path = [field, sub[0], ATTACHMENT[String(sub[1])] ?? sub[1]]
  } else {
    path = field === undefined ? [] : [TOP[String(field)] ?? field, ...sub]
  }
  const missing = path.length === 1 && body[String(path[0])] === undefined && !KEEP_CODE.has(issue.code)
  return { path: [...prefix, ...path], code: missing ? 'missing_field' : issue.code, message: issue.message }
}

/** `to[1]`, `attachments[0].content`, `[3].from` in a batch: how a path reads in a Resend error message. */
export const formatPath = (path: (string | number)[]) =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('')
