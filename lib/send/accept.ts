import type { Deps } from '../deps.js'
import { putJson } from '../store/json.js'
import { messageKeys, queueKeys } from '../store/keys.js'
import { initialState, type AcceptedRequest } from './records.js'
import type { SendRequest } from './send-request.js'

/** What `POST /v1/messages` answers with 202. */
export interface Accepted {
  id: string
  status: 'queued'
  messageId: string
}

/** Told of each message just accepted, with its stored record: a runner in the same process sends it at once. */
export type OnAccepted = (record: AcceptedRequest) => void

/** RFC 5322 §3.6.4 msg-id on the gateway's domain; the id is already unique and time-sortable. */
export const messageIdFor = (id: string, domain: string) => `<${id.toLowerCase()}@${domain}>`

/**
 * Stores an accepted message durably before the caller answers: the request (create-only), then its queue entry,
 * due now or at `sendAt`. Its state object is written by the first attempt; until then the request says all
 * (initialState). A crash before the queue entry is written means no 202 was sent; the client's retry (with its
 * Idempotency-Key) accepts it again.
 * Returns the answer for the client and the stored record (so an in-process runner need not read it back).
 * @throws whatever the store throws; nothing is sent before both objects exist.
 */
export async function acceptMessage(deps: Deps, apiKeyId: string, request: SendRequest): Promise<{ accepted: Accepted; record: AcceptedRequest }> {
  const id = deps.newId()
  const now = deps.clock.now()
  const messageId = messageIdFor(id, deps.config.domain)
  const record: AcceptedRequest = { id, messageId, apiKeyId, createdAt: new Date(now).toISOString(), request }
  await putJson(deps.store, messageKeys(id).request, record, { ifNoneMatch: '*' })
  await deps.store.put(queueEntryFor(record), '')
  return { accepted: { id, status: 'queued', messageId }, record }
}

/** The queue entry acceptMessage wrote for `record`. */
export const queueEntryFor = (record: AcceptedRequest) => queueKeys.entry(Date.parse(initialState(record).nextAttemptAt!), record.id)

/**
 * Takes back messages accepted but not yet handed to a runner, for an all-or-nothing batch that failed part way:
 * deletes their queue entries, so no runner sends them (their request objects stay, unreferenced).
 * @throws whatever the store throws.
 */
export async function withdrawAccepted(deps: Deps, records: AcceptedRequest[]): Promise<void> {
  await Promise.all(records.map((r) => deps.store.delete(queueEntryFor(r))))
}
