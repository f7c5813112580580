import type { ApiKeyConfig } from '../config/schema.js'
import type { Deps } from '../deps.js'
import { ApiError } from '../http/errors.js'
import type { Accepted } from '../send/accept.js'
import type { SendRequestInput } from '../send/send-request.js'
import { checkSendRequest, submitMessage } from '../send/submit.js'
import { toSendRequestInput } from './email-request.js'
import { toResendIssue } from './field-paths.js'

/** Re-throws an error of the send pipeline with its field issues in the Resend request's terms. */
function inResendTerms(err: unknown, email: unknown, prefix: (string | number)[]): never {
  if (err instanceof ApiError && err.issues.length) {
    throw new ApiError(err.code, err.message, err.issues.map((i) => toResendIssue(i, email, prefix)), err.headers)
  }
  throw err
}

/**
 * Checks one Resend email as the send pipeline would, without storing it: mapped onto SendRequest, validated, and
 * its sender allowed for the key. Returns the mapped input, for submitting later.
 * @throws ApiError validation_failed, payload_too_large, sender_not_allowed, with Resend's field names.
 */
export function checkResendEmail(deps: Deps, key: ApiKeyConfig, email: unknown, prefix: (string | number)[] = []): SendRequestInput {
  const input = toSendRequestInput(email, prefix)
  try {
    checkSendRequest(deps, key, input, prefix)
  } catch (err) {
    inResendTerms(err, email, prefix)
  }
  return input
}

/**
 * Sends one Resend email through the shared send pipeline (lib/send/submit.ts): validation, sender rules, durable
 * acceptance and delivery are Postern's own.
 * @throws ApiError as checkResendEmail; store errors propagate.
 */
export async function submitResendEmail(deps: Deps, key: ApiKeyConfig, email: unknown, onAccepted?: (id: string) => void): Promise<Accepted> {
  const input = toSendRequestInput(email)
  try {
    return await submitMessage(deps, key, input, onAccepted)
  } catch (err) {
    inResendTerms(err, email, [])
  }
}
