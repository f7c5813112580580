import type { ApiKeyConfig } from '../config/schema.js'
import type { Deps } from '../deps.js'
import { senderAllowed } from './sender-rules.js'
import { ApiError, type FieldIssue } from '../errors.js'
import { toFieldIssues } from '../field-issues.js'
import { acceptedOf, acceptMessage, enqueue, storeRequest, type Accepted, type OnAccepted } from './accept.js'
import type { AcceptedRequest } from './records.js'
import { plainJsonIssues } from './plain-json.js'
import { rawRecipientCount } from './send-budget.js'
import { decodedBytes, SendRequest } from './send-request.js'

/**
 * Validates a send request against the schema and the configured limits (recipients, decoded size, how far
 * ahead `sendAt` may be), after plainJsonIssues. `pathPrefix` places issues inside a batch (`['messages', 3]`).
 * @throws ApiError validation_failed (400) with every bad field, or payload_too_large (413).
 */
export function validateSendRequest(deps: Deps, body: unknown, pathPrefix: (string | number)[] = []): SendRequest {
  const at = (issues: FieldIssue[]) => issues.map((i) => ({ ...i, path: [...pathPrefix, ...i.path] }))
  // Before the schema, which would drop a __proto__ key and pass a lone surrogate on to become U+FFFD.
  const plain = plainJsonIssues(body)
  if (plain.length) throw new ApiError('validation_failed', 'the request has invalid fields', at(plain))
  // Counted before the schema, so a long list is one clear issue and its addresses are not all parsed first.
  const recipients = rawRecipientCount(body)
  const { limits } = deps.config
  if (recipients > limits.maxRecipients) {
    throw new ApiError(
      'validation_failed',
      'the request has invalid fields',
      at([{ path: ['to'], code: 'too_many_recipients', message: `${recipients} recipients in to, cc and bcc; at most ${limits.maxRecipients}` }]),
    )
  }
  const parsed = SendRequest.safeParse(body)
  if (!parsed.success) throw new ApiError('validation_failed', 'the request has invalid fields', at(toFieldIssues(parsed.error.issues)))
  const req = parsed.data
  if (req.sendAt && Date.parse(req.sendAt) > deps.clock.now() + limits.maxScheduleMs) {
    throw new ApiError(
      'validation_failed',
      'the request has invalid fields',
      at([{ path: ['sendAt'], code: 'send_at_too_far', message: `sendAt may be at most ${Math.round(limits.maxScheduleMs / 3600_000)} hours ahead` }]),
    )
  }
  const size = decodedBytes(req)
  if (size > limits.maxMessageBytes) {
    throw new ApiError(
      'payload_too_large',
      `the message carries ${size} bytes decoded; at most ${limits.maxMessageBytes}`,
      at([{ path: [], code: 'message_too_large', message: `at most ${limits.maxMessageBytes} bytes` }]),
    )
  }
  return req
}

/**
 * Everything submitMessage checks before it stores anything: the request is valid and the key may use its sender.
 * Lets a caller check every item of an all-or-nothing batch before accepting any.
 * @throws ApiError validation_failed, payload_too_large, sender_not_allowed (403).
 */
export function checkSendRequest(deps: Deps, key: ApiKeyConfig, body: unknown, pathPrefix: (string | number)[] = []): SendRequest {
  const req = validateSendRequest(deps, body, pathPrefix)
  if (!senderAllowed(key, req.from.address)) {
    throw new ApiError('sender_not_allowed', `this API key may not send from ${req.from.address}`, [
      { path: [...pathPrefix, 'from'], code: 'sender_not_allowed', message: "not in the key's allowedFrom" },
    ])
  }
  return req
}

/** The client is told to retry: the store failed, nothing was sent. */
function storeUnavailable(deps: Deps, err: unknown): ApiError {
  deps.logger.error({ err }, 'an accepted message could not be stored; the client is told to retry')
  return new ApiError('store_unavailable', 'the message could not be stored and was not sent; retry later', [], { 'Retry-After': '1' })
}

/**
 * The send pipeline every route shares (`/v1/messages`, batch, the Resend-compatible routes): validate, check the
 * key may use the sender, store durably, then tell the runner. `id`: the id to store it under (reserved by the
 * request's Idempotency-Key), else a new one.
 * @throws ApiError validation_failed, payload_too_large, sender_not_allowed (403), store_unavailable (503, with
 * Retry-After) when the store fails: nothing is sent then, though a request object may be left without a queue entry.
 */
export async function submitMessage(
  deps: Deps,
  key: ApiKeyConfig,
  body: unknown,
  onAccepted?: OnAccepted,
  pathPrefix: (string | number)[] = [],
  id?: string,
): Promise<Accepted> {
  const req = checkSendRequest(deps, key, body, pathPrefix)
  const { accepted, record } = await acceptMessage(deps, key.id, req, id).catch((err) => {
    throw storeUnavailable(deps, err)
  })
  onAccepted?.(record)
  return accepted
}

/**
 * Accepts checked requests all or nothing: every request is stored first, and only then is any queued, so a crash
 * part way leaves nothing deliverable; a retry with the same reserved `ids` (Idempotency-Key) finds the stored ones
 * and queues them all. Runners hear of them once all are queued.
 * @throws ApiError store_unavailable (503) when the store fails: nothing of the batch is sent then.
 */
export async function acceptAll(deps: Deps, key: ApiKeyConfig, requests: SendRequest[], ids: string[], onAccepted?: OnAccepted): Promise<Accepted[]> {
  try {
    const records: AcceptedRequest[] = []
    for (const [i, req] of requests.entries()) records.push(await storeRequest(deps, key.id, req, ids[i]))
    // Queued together: on the sqlite store they share one transaction (group commit), so the batch becomes
    // deliverable at once; elsewhere a crash in this window leaves the rest for the retry under the same ids.
    await Promise.all(records.map((record) => enqueue(deps, record)))
    for (const record of records) onAccepted?.(record)
    return records.map(acceptedOf)
  } catch (err) {
    if (err instanceof ApiError) throw err
    throw storeUnavailable(deps, err)
  }
}

/** One item's outcome in a batch: the accepted message, or the error it would have had alone. */
export type BatchItemResult = { ok: true; data: Accepted } | { ok: false; error: ApiError }

/**
 * Submits each item on its own: one bad item does not reject the others, and neither does a store failure (that
 * item answers 503 store_unavailable), so the batch's answer, kept under its Idempotency-Key, says exactly which
 * items were accepted and a retry with that key never sends them twice. `ids[i]`: item i's reserved id.
 */
export async function submitBatch(deps: Deps, key: ApiKeyConfig, items: unknown[], onAccepted?: OnAccepted, ids: string[] = []): Promise<BatchItemResult[]> {
  const results: BatchItemResult[] = []
  for (const [i, item] of items.entries()) {
    try {
      results.push({ ok: true, data: await submitMessage(deps, key, item, onAccepted, ['messages', i], ids[i]) })
    } catch (err) {
      if (!(err instanceof ApiError)) throw err
      results.push({ ok: false, error: err })
    }
  }
  return results
}
