import type { ApiKeyConfig } from '../config/schema.js'
import type { Deps } from '../deps.js'
import { ApiError } from '../errors.js'
import type { OnAccepted } from '../send/accept.js'
import { acceptAll, checkSendRequest } from '../send/submit.js'
import { ResendError } from './resend-error.js'
import { checkResendEmail, submitResendEmail } from './submit-email.js'
import { toResendError } from './to-resend-error.js'

/**
 * Resend's `x-batch-validation` header (https://resend.com/changelog/batch-validation-modes): `strict`, the default,
 * sends the batch only when every email is valid; `permissive` sends the valid ones and lists the others.
 */
export type BatchValidation = 'strict' | 'permissive'

/** @throws ResendError validation_error for a value other than strict or permissive. */
export function batchValidation(header: string | undefined): BatchValidation {
  const mode = (header ?? 'strict').trim().toLowerCase()
  if (mode === 'strict' || mode === 'permissive') return mode
  throw new ResendError('validation_error', 'x-batch-validation must be "strict" or "permissive"')
}

/** What `POST /emails/batch` answers: the accepted ids in request order, and in permissive mode what was refused. */
export type BatchAnswer = { data: { id: string }[] } | { data: { id: string }[]; errors: { index: number; message: string }[] }

/**
 * Sends a Resend batch through the shared send pipeline. Strict: every email is checked first, and any refusal
 * rejects the whole batch before anything is stored; the error names every refused email's problems, with the
 * email's index in their field paths (one refused email keeps its own error and status).
 * Permissive: each email on its own; `errors` holds the index and Resend message of each refused one, and `data`
 * only the accepted ones; an email the store failed on is one of the refused (503 store_unavailable). `ids[i]`: the
 * id reserved for email i (by the Idempotency-Key, so a retry after a crash stores each email under the same id).
 * @throws ApiError as checkResendEmail, or store_unavailable (strict mode only).
 */
export async function submitResendBatch(
  deps: Deps,
  key: ApiKeyConfig,
  emails: unknown[],
  mode: BatchValidation,
  ids: string[],
  onAccepted?: OnAccepted,
): Promise<BatchAnswer> {
  if (mode === 'strict') {
    const inputs = []
    const refused: ApiError[] = []
    for (const [i, email] of emails.entries()) {
      try {
        inputs.push(checkResendEmail(deps, key, email, [i]))
      } catch (err) {
        if (!(err instanceof ApiError)) throw err
        refused.push(err)
      }
    }
    if (refused.length === 1) throw refused[0]
    if (refused.length > 1)
      throw new ApiError(
        'validation_failed',
        'the batch has invalid emails',
        refused.flatMap((e) => e.issues),
      )
    // All or nothing: every email is stored before any is queued (acceptAll), so neither a store failure nor a
    // crash part way makes part of the batch deliverable; a retry under the same Idempotency-Key queues them all.
    const accepted = await acceptAll(
      deps,
      key,
      inputs.map((input) => checkSendRequest(deps, key, input)),
      ids,
      onAccepted,
    )
    return { data: accepted.map((a) => ({ id: a.id })) }
  }
  const data: { id: string }[] = []
  const errors: { index: number; message: string }[] = []
  for (const [index, email] of emails.entries()) {
    try {
      data.push({ id: (await submitResendEmail(deps, key, email, onAccepted, ids[index])).id })
    } catch (err) {
      if (!(err instanceof ApiError)) throw err
      errors.push({ index, message: toResendError(err).body.message })
    }
  }
  return { data, errors }
}
