import type { ApiKeyConfig } from '../config/schema.js'
import type { Deps } from '../deps.js'
import { ApiError } from '../errors.js'
import type { Accepted, OnAccepted } from '../send/accept.js'
import type { SendRequestInput } from '../send/send-request.js'
import { checkSendRequest, submitMessage } from '../send/submit.js'
import { toSendRequestInput } from './email-request.js'
import { coveredBy, toResendField, toResendIssue } from './field-paths.js'

/** An error of the send pipeline with its field issues in the Resend request's terms. */
function inResendTerms(err: unknown, email: unknown, prefix: (string | number)[]): unknown {
  if (err instanceof ApiError && err.issues.length) {
    return new ApiError(
      err.code,
      err.message,
      err.issues.map((i) => toResendIssue(i, email, prefix)),
      err.headers,
    )
  }
  return err
}

/**
 * How many times the pipeline's checks run at most for one email. Each stage of validateSendRequest (plain JSON,
 * recipient count, schema, limits, sender) stops at its first refusal; running again without the refused fields
 * lets the next stage speak.
 */
const MAX_PASSES = 5

/**
 * Checks one Resend email as the send pipeline would, without storing it: mapped onto SendRequest, validated, and
 * its sender allowed for the key. Every problem is reported at once: the Resend shape's issues (unknown fields,
 * `path`, templates) and the pipeline's (addresses, missing fields, limits, the sender rule) in one
 * validation_failed, minus what was already said about the same field. The pipeline stops at the first stage that
 * refuses, so it is run again without the fields refused so far, until it has nothing new to say. A feature
 * Postern does not offer (`template`, `topic_id`) is answered with the shape's issues alone: the email it stands
 * for (a template's from, subject and body) is not one to check. When the pipeline's first refusal is the only
 * problem, its error is kept as it is (payload_too_large and sender_not_allowed keep their status). Returns the
 * mapped input.
 * @throws ApiError validation_failed, payload_too_large, sender_not_allowed, with Resend's field names.
 */
export function checkResendEmail(deps: Deps, key: ApiKeyConfig, email: unknown, prefix: (string | number)[] = []): SendRequestInput {
  const { input, issues } = toSendRequestInput(email, prefix)
  if (issues.some((i) => i.code === 'not_supported')) throw new ApiError('validation_failed', 'the request uses a feature Postern does not offer', issues)
  const found = [...issues]
  const rest: Record<string, unknown> = { ...input }
  // Resend names of the fields taken out: the pipeline now calls them missing, which says nothing new.
  const removed = new Set<string>()
  const refusals: ApiError[] = []
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    try {
      checkSendRequest(deps, key, rest, prefix)
      break
    } catch (err) {
      if (!(err instanceof ApiError)) throw err
      if (!err.issues.length) throw err
      const translated = err.issues.map((raw) => ({ raw, issue: toResendIssue(raw, email, prefix) }))
      const fresh = translated.filter(({ issue }) => !coveredBy(found, issue, prefix) && !removed.has(String(issue.path[prefix.length])))
      if (!fresh.length) break
      refusals.push(
        new ApiError(
          err.code,
          err.message,
          translated.map((t) => t.issue),
          err.headers,
        ),
      )
      for (const { raw, issue } of fresh) {
        found.push(issue)
        const field = raw.path[prefix.length]
        if (typeof field !== 'string') continue
        delete rest[field]
        removed.add(toResendField(field))
      }
    }
  }
  if (!found.length) return input
  if (!issues.length && refusals.length === 1) throw refusals[0]
  throw new ApiError('validation_failed', 'the request has invalid fields', found)
}

/**
 * Sends one Resend email through the shared send pipeline (lib/send/submit.ts): validation, sender rules, durable
 * acceptance and delivery are Postern's own. `id`: the id reserved by the request's Idempotency-Key.
 * @throws ApiError as checkResendEmail; store errors propagate.
 */
export async function submitResendEmail(deps: Deps, key: ApiKeyConfig, email: unknown, onAccepted?: OnAccepted, id?: string): Promise<Accepted> {
  const input = checkResendEmail(deps, key, email)
  try {
    return await submitMessage(deps, key, input, onAccepted, [], id)
  } catch (err) {
    throw inResendTerms(err, email, [])
  }
}
