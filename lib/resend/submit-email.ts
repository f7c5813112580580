import type { ApiKeyConfig } from '../config/schema.js'
import type { Deps } from '../deps.js'
import { ApiError } from '../http/errors.js'
import type { Accepted } from '../send/accept.js'
import type { SendRequestInput } from '../send/send-request.js'
import { checkSendRequest, submitMessage } from '../send/submit.js'
import { toSendRequestInput } from './email-request.js'
import { coveredBy, toResendIssue } from './field-paths.js'

/** An error of the send pipeline with its field issues in the Resend request's terms. */
function inResendTerms(err: unknown, email: unknown, prefix: (string | number)[]): unknown {
  if (err instanceof ApiError && err.issues.length) {
    return new ApiError(err.code, err.message, err.issues.map((i) => toResendIssue(i, email, prefix)), err.headers)
  }
  return err
}

/**
 * Checks one Resend email as the send pipeline would, without storing it: mapped onto SendRequest, validated, and
 * its sender allowed for the key. Every problem is reported at once: the Resend shape's issues (unknown fields,
 * `path`, templates) and the pipeline's (addresses, missing fields, limits, the sender rule) in one
 * validation_failed, minus what the shape already said about the same field. A feature Postern does not offer
 * (`template`, `topic_id`) is answered with the shape's issues alone: the email it stands for (a template's from,
 * subject and body) is not one to check. When only the pipeline objects, its error is kept as it is
 * (payload_too_large and sender_not_allowed keep their status). Returns the mapped input.
 * @throws ApiError validation_failed, payload_too_large, sender_not_allowed, with Resend's field names.
 */
export function checkResendEmail(deps: Deps, key: ApiKeyConfig, email: unknown, prefix: (string | number)[] = []): SendRequestInput {
  const { input, issues } = toSendRequestInput(email, prefix)
  if (issues.some((i) => i.code === 'not_supported')) throw new ApiError('validation_failed', 'the request uses a feature Postern does not offer', issues)
  let refused: ApiError | undefined
  try {
    checkSendRequest(deps, key, input, prefix)
  } catch (err) {
    const translated = inResendTerms(err, email, prefix)
    if (!(translated instanceof ApiError)) throw translated
    refused = translated
  }
  if (!issues.length) {
    if (refused) throw refused
    return input
  }
  const more = refused?.issues.filter((i) => !coveredBy(issues, i, prefix)) ?? []
  throw new ApiError('validation_failed', 'the request has invalid fields', [...issues, ...more])
}

/**
 * Sends one Resend email through the shared send pipeline (lib/send/submit.ts): validation, sender rules, durable
 * acceptance and delivery are Postern's own.
 * @throws ApiError as checkResendEmail; store errors propagate.
 */
export async function submitResendEmail(deps: Deps, key: ApiKeyConfig, email: unknown, onAccepted?: (id: string) => void): Promise<Accepted> {
  const input = checkResendEmail(deps, key, email)
  try {
    return await submitMessage(deps, key, input, onAccepted)
  } catch (err) {
    throw inResendTerms(err, email, [])
  }
}
