import type { Deps } from '../deps.js'
import { putJson } from '../store/json.js'
import { messageKeys, queueKeys } from '../store/keys.js'
import type { AcceptedRequest, MessageState } from './records.js'
import type { SendRequest } from './send-request.js'

/** What `POST /v1/messages` answers with 202. */
export interface Accepted {
  id: string
  status: 'queued'
  messageId: string
}

/** RFC 5322 §3.6.4 msg-id on the gateway's domain; the id is already unique and time-sortable. */
export const messageIdFor = (id: string, domain: string) => `<${id.toLowerCase()}@${domain}>`

/**
 * Stores an accepted message durably before the caller answers: the request (create-only), its state
 * (create-only), then its queue entry, due now or at `sendAt`. A crash before the queue entry is written
 * means no 202 was sent; the client's retry (with its Idempotency-Key) accepts it again.
 * @throws whatever the store throws; nothing is sent before all three objects exist.
 */
export async function acceptMessage(deps: Deps, apiKeyId: string, request: SendRequest): Promise<Accepted> {
  const id = deps.newId()
  const now = deps.clock.now()
  const createdAt = new Date(now).toISOString()
  const messageId = messageIdFor(id, deps.config.domain)
  const dueAt = request.sendAt ? Math.max(now, Date.parse(request.sendAt)) : now
  const keys = messageKeys(id)
  const record: AcceptedRequest = { id, messageId, apiKeyId, createdAt, request }
  const state: MessageState = {
    id,
    messageId,
    status: 'queued',
    createdAt,
    updatedAt: createdAt,
    sendAt: request.sendAt ? new Date(Date.parse(request.sendAt)).toISOString() : null,
    nextAttemptAt: new Date(dueAt).toISOString(),
    attempts: 0,
    accepted: [],
    rejected: [],
    lease: null,
  }
  await putJson(deps.store, keys.request, record, { ifNoneMatch: '*' })
  await putJson(deps.store, keys.state, state, { ifNoneMatch: '*' })
  await deps.store.put(queueKeys.entry(dueAt, id), '')
  return { id, status: 'queued', messageId }
}
