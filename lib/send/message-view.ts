import type { ApiKeyConfig } from '../config/schema.js'
import type { Deps } from '../deps.js'
import { getBookkeepingJson, getJson } from '../store/json.js'
import { messageKeys } from '../store/keys.js'
import type { BounceInfo, ComplaintInfo, RecipientRejection, RecipientSuppression } from '../events/outbound-events.js'
import {
  initialState,
  requestFacts,
  type AcceptedRequest,
  type DeliveryEvent,
  type FeedbackEntry,
  type MessageState,
  type RejectedRecipient,
} from './records.js'
import { hasScope } from '../scopes.js'

/** What `GET /v1/messages/:id` answers: the state, the request's envelope facts and every attempt in order. */
export interface MessageView {
  id: string
  messageId: string
  status: MessageState['status']
  reason: string | null
  createdAt: string
  updatedAt: string
  sendAt: string | null
  nextAttemptAt: string | null
  from: string
  to: string[]
  cc: string[]
  bcc: string[]
  subject: string
  tags: string[]
  metadata: Record<string, string>
  date: string | null
  accepted: string[]
  rejected: RecipientRejection[]
  suppressed: RecipientSuppression[]
  bounces: Record<string, BounceInfo>
  complaints: Record<string, ComplaintInfo>
  canceledAt: string | null
  attempts: (Omit<DeliveryEvent, 'id' | 'rejected' | 'reason' | 'recipients' | 'suppressed'> & {
    rejected: RecipientRejection[]
    reason: string | null
    recipients: string[]
    suppressed: RecipientSuppression[]
  })[]
}

/** Feedback entries as the API shows them: their data, without the event bookkeeping. */
function withoutEventIds<T>(entries: Record<string, FeedbackEntry<T>> | undefined): Record<string, T> {
  return Object.fromEntries(Object.entries(entries ?? {}).map(([r, { eventId: _e, sequence: _s, ...info }]) => [r, info as T]))
}

/** A rejection as the API shows it: `enhancedStatus` always present (null when the reply had none or was stored before it was kept). */
const withStatus = (r: RejectedRecipient): RecipientRejection => ({
  recipient: r.recipient,
  reply: r.reply,
  enhancedStatus: r.enhancedStatus ?? null,
  response: r.response,
})

/** Reads one message's objects; `null` when no message has that id. */
export async function readMessage(deps: Deps, id: string): Promise<(MessageView & { request: AcceptedRequest }) | null> {
  if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(id)) return null
  const keys = messageKeys(id)
  const [state, request] = await Promise.all([getBookkeepingJson<MessageState>(deps.store, keys.state), getJson<AcceptedRequest>(deps.store, keys.request)])
  if (!request) return null
  const eventKeys = await deps.store.list(keys.events)
  // An event cut short by a power failure is left out; the state still counts its attempt.
  // Each stored event names its message (`id`); in the view that is the message's own id, so it is left out.
  const attempts = (await Promise.all(eventKeys.map((k) => getBookkeepingJson<DeliveryEvent>(deps.store, k)))).flatMap((e) => {
    if (!e?.value) return []
    const { id: _id, ...attempt } = e.value
    return [
      {
        ...attempt,
        rejected: attempt.rejected.map(withStatus),
        reason: attempt.reason ?? null,
        recipients: attempt.recipients ?? [...attempt.accepted, ...attempt.rejected.map((r) => r.recipient)],
        suppressed: attempt.suppressed ?? [],
      },
    ]
  })
  const s = state?.value ?? initialState(request.value)
  const r = request.value.request
  return {
    id: s.id,
    messageId: s.messageId,
    status: s.status,
    reason: s.reason ?? null,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    sendAt: s.sendAt,
    nextAttemptAt: s.nextAttemptAt,
    ...requestFacts(r),
    metadata: r.metadata ?? {},
    date: s.date ?? null,
    accepted: s.accepted,
    rejected: s.rejected.map(withStatus),
    suppressed: s.suppressed ?? [],
    bounces: withoutEventIds(s.bounces),
    complaints: withoutEventIds(s.complaints),
    canceledAt: s.canceledAt ?? null,
    attempts,
    request: request.value,
  }
}

/** A key sees its own messages; one with the `read` scope (lib/scopes.ts) sees every key's. */
export const visibleTo = (key: ApiKeyConfig, view: { request: AcceptedRequest }) => hasScope(key, 'read') || view.request.apiKeyId === key.id

/** A key may change (cancel, reschedule) its own messages; one with the `admin` scope any key's. */
export const changeableBy = (key: ApiKeyConfig, view: { request: AcceptedRequest }) => hasScope(key, 'admin') || view.request.apiKeyId === key.id
