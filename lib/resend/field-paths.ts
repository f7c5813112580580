import type { FieldIssue } from '../errors.js'

/** SendRequest field names that Resend spells otherwise (top level, and inside one attachment). */
const TOP: Record<string, string> = { replyTo: 'reply_to', sendAt: 'scheduled_at' }
const ATTACHMENT: Record<string, string> = { contentType: 'content_type', contentId: 'content_id' }
// Codes that already say what is wrong with an absent field.
const KEEP_CODE = new Set(['unknown_field', 'missing_body'])

/** Postern's words in the pipeline's messages, as a Resend request says them (tags are stored as metadata). */
const WORDS: [RegExp, string][] = [
  [/\bmetadata keys\b/g, 'tags'],
  [/\bmetadata key\b/g, 'tag name'],
  [/\bmetadata\b/g, 'tags'],
  ...Object.entries({ ...TOP, ...ATTACHMENT }).map(([postern, resend]): [RegExp, string] => [new RegExp(`\\b${postern}\\b`, 'g'), resend]),
]

/** A message of the send pipeline in Resend's words; a leading field name the path already gives is dropped. */
function inResendWords(message: string, path: (string | number)[]): string {
  const text = WORDS.reduce((m, [from, to]) => m.replace(from, to), message)
  const field = path.at(-1)
  return typeof field === 'string' && text.startsWith(`${field} `) ? text.slice(field.length + 1) : text
}

/** The Resend name of a top-level SendRequest field (`metadata` holds Resend's tags). */
export const toResendField = (field: string) => (field === 'metadata' ? 'tags' : (TOP[field] ?? field))

/**
 * Rewrites an issue of the shared send pipeline into the Resend request's terms: `replyTo` becomes `reply_to`,
 * `attachments.0.contentType` becomes `attachments.0.content_type`, `metadata.<name>` becomes `tags.<index>.name`
 * (a bad name) or `tags.<index>.value` (a bad value) and `metadata` itself `tags` (Resend tags are stored as Postern
 * metadata); the message's words follow (`sendAt` -> `scheduled_at`, "metadata key" -> "tag name"). An issue on a
 * top-level field the request left out or set to null gets the code `missing_field`. `prefix` is the part of the
 * path before the email (a batch index); `email` is the Resend body.
 */
export function toResendIssue(issue: FieldIssue, email: unknown, prefix: (string | number)[] = []): FieldIssue {
  const rest = issue.path.slice(prefix.length)
  const [field, ...sub] = rest
  const body = (email && typeof email === 'object' ? email : {}) as Record<string, unknown>
  let path: (string | number)[]
  if (field === 'metadata') {
    const tags = Array.isArray(body.tags) ? (body.tags as { name?: unknown }[]) : []
    const index = sub.length ? tags.findIndex((t) => t?.name === sub[0]) : -1
    path = index < 0 ? ['tags'] : ['tags', index, issue.code === 'invalid_key' ? 'name' : 'value']
  } else if (field === 'attachments' && sub.length === 2) {
    path = [field, sub[0], ATTACHMENT[String(sub[1])] ?? sub[1]]
  } else {
    path = field === undefined ? [] : [toResendField(String(field)), ...sub]
  }
  const missing = path.length === 1 && body[String(path[0])] == null && !KEEP_CODE.has(issue.code)
  return { path: [...prefix, ...path], code: missing ? 'missing_field' : issue.code, message: inResendWords(issue.message, path) }
}

/**
 * True when `issue` is about a part of the email that one of `found` already names: the same top-level field, or
 * the same element of a list (`attachments[0]`), or the whole email. Keeps one answer from saying the same thing twice.
 */
export function coveredBy(found: FieldIssue[], issue: FieldIssue, prefix: (string | number)[] = []): boolean {
  const at = (i: FieldIssue) => i.path.slice(prefix.length)
  const p = at(issue)
  return found.some((f) => {
    const q = at(f)
    const scope = q.slice(0, typeof q[1] === 'number' ? 2 : 1)
    // An empty scope is the whole email (not an object): it covers everything.
    return scope.every((s, i) => p[i] === s)
  })
}

/** `to[1]`, `attachments[0].content`, `[3].from` in a batch: how a path reads in a Resend error message. */
export const formatPath = (path: (string | number)[]) => path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('')
