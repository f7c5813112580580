import type { Deps } from '../deps.js'
import { getJson, putJson } from '../store/json.js'
import { messageKeys, queueKeys } from '../store/keys.js'
import { isPreconditionFailed } from '../store/object-store.js'
import { indexAcceptedMessage } from '../logs/message-index.js'
import { initialState, type AcceptedRequest } from './records.js'
import type { SendRequest } from './send-request.js'

/** What `POST /v1/messages` answers with 202. */
export interface Accepted {
  id: string
  /** `scheduled` when `sendAt` is ahead, else `queued`. */
  status: 'queued' | 'scheduled'
  messageId: string
}

/** Told of each message just accepted, with its stored record: a runner in the same process sends it at once. */
export type OnAccepted = (record: AcceptedRequest) => void

/** RFC 5322 §3.6.4 msg-id on the gateway's domain; the id is already unique and time-sortable. */
export const messageIdFor = (id: string, domain: string) => `<${id.toLowerCase()}@${domain}>`

/** The answer for a stored record. */
export const acceptedOf = (record: AcceptedRequest): Accepted => ({
  id: record.id,
  status: initialState(record).status === 'scheduled' ? 'scheduled' : 'queued',
  messageId: record.messageId,
})

/**
 * Stores a request under `id` (create-only). When a request is already stored under that id (the same id reserved
 * by an Idempotency-Key, stored by a run that crashed before it answered), that one is returned as it is, so a retry
 * never makes a second message. Nothing is deliverable until `enqueue`.
 * @throws whatever the store throws.
 */
export async function storeRequest(deps: Deps, apiKeyId: string, request: SendRequest, id: string): Promise<AcceptedRequest> {
  const now = deps.clock.now()
  const record: AcceptedRequest = { id, messageId: messageIdFor(id, deps.config.domain), apiKeyId, createdAt: new Date(now).toISOString(), request }
  try {
    // The list indexes first: a crash in between leaves entries that readers skip (lib/logs/message-index.ts).
    await indexAcceptedMessage(deps.store, record)
    await putJson(deps.store, messageKeys(id).request, record, { ifNoneMatch: '*' })
    return record
  } catch (err) {
    if (!isPreconditionFailed(err)) throw err
    const existing = await getJson<AcceptedRequest>(deps.store, messageKeys(id).request)
    if (!existing) throw err
    return existing.value
  }
}

/**
 * Makes a stored request deliverable: its queue entry, due now or at `sendAt` (written again for a request stored
 * before a crash: an entry for a message already sent is removed by the next sweep).
 * @throws whatever the store throws.
 */
export async function enqueue(deps: Deps, record: AcceptedRequest): Promise<void> {
  await deps.store.put(queueEntryFor(record), '')
}

/**
 * Stores an accepted message durably before the caller answers: the request (create-only), then its queue entry.
 * Its state object is written by the first attempt; until then the request says all (initialState). A crash before
 * the queue entry is written means no 202 was sent; the client's retry (with its Idempotency-Key, which reserved
 * `id`) finds the request and writes the entry, so it is sent once, under the same id.
 * @throws whatever the store throws; nothing is sent before both objects exist.
 */
export async function acceptMessage(
  deps: Deps,
  apiKeyId: string,
  request: SendRequest,
  id = deps.newId(),
): Promise<{ accepted: Accepted; record: AcceptedRequest }> {
  const record = await storeRequest(deps, apiKeyId, request, id)
  await enqueue(deps, record)
  return { accepted: acceptedOf(record), record }
}

/** The queue entry acceptMessage wrote for `record`. */
export const queueEntryFor = (record: AcceptedRequest) => queueKeys.entry(Date.parse(initialState(record).nextAttemptAt!), record.id)
