import type { Deps } from '../deps.js'
import { ApiError } from '../errors.js'
import { getJson } from '../store/json.js'
import { messageKeys, queueKeys } from '../store/keys.js'
import { workerIsGone } from '../worker-id.js'
import { recordMessageEvent } from './message-events.js'
import { updateMessageState } from './message-state.js'
import { allRecipients, type AcceptedRequest, type MessageState } from './records.js'

const CANCELABLE = new Set<MessageState['status']>(['scheduled', 'queued', 'deferred'])

/** True while a worker holds the message's attempt (its lease is live and its process is not known to be gone). */
const attemptUnderWay = (st: MessageState, now: number) => st.lease !== null && Date.parse(st.lease.until) > now && !workerIsGone(st.lease.owner)

const queueEntryOf = (st: MessageState) => (st.nextAttemptAt ? queueKeys.entry(Date.parse(st.nextAttemptAt), st.id) : null)

/**
 * Cancels a message that is `scheduled`, `queued` or `deferred`: status `canceled`, no further attempt, and a
 * `message.canceled` event. Canceling an already canceled message answers the same (and makes sure its event was
 * recorded, in case a crash came in between). Returns the state after.
 * @throws ApiError not_found; conflict (409) while an attempt is under way or once the message is sent, failed or
 * bounced.
 */
export async function cancelMessage(deps: Deps, id: string): Promise<MessageState> {
  const now = deps.clock.now()
  const res = await updateMessageState(deps, id, (st) => {
    if (st.status === 'canceled') return null
    if (!CANCELABLE.has(st.status)) throw new ApiError('conflict', `the message is ${st.status}: only a scheduled, queued or deferred message can be canceled`)
    if (attemptUnderWay(st, now)) throw new ApiError('conflict', 'an attempt to send this message is under way; it cannot be canceled now')
    return {
      ...st,
      status: 'canceled',
      canceledAt: new Date(now).toISOString(),
      updatedAt: new Date(now).toISOString(),
      reason: 'canceled_by_api',
      sequence: (st.sequence ?? 0) + 1,
    }
  })
  if (!res) throw new ApiError('not_found', 'no message has this id')
  const st = res.after ?? res.before
  const record = (await getJson<AcceptedRequest>(deps.store, messageKeys(id).request))!.value
  await recordMessageEvent(
    deps,
    { sequence: (st.sequence ?? 1) - 1 },
    record,
    'message.canceled',
    'canceled',
    { recipients: allRecipients(record), reason: 'canceled_by_api' },
    Date.parse(st.canceledAt!),
  )
  const entry = queueEntryOf(res.before)
  if (entry) await deps.store.delete(entry)
  deps.logger.info({ id, messageId: record.messageId, previousStatus: res.before.status }, 'message canceled')
  return st
}

/**
 * Moves a message that has not been attempted yet to `sendAt` (ISO 8601): its next attempt and its queue entry (the
 * new entry is written before the old one goes). Returns the state after.
 * @throws ApiError not_found; conflict (409) once an attempt has been made or the message is canceled.
 */
export async function rescheduleMessage(deps: Deps, id: string, sendAt: string): Promise<MessageState> {
  const now = deps.clock.now()
  const due = Math.max(Date.parse(sendAt), now)
  const nextAttemptAt = new Date(due).toISOString()
  const current = await updateMessageState(deps, id, (st) => {
    if ((st.status !== 'scheduled' && st.status !== 'queued') || st.attempts > 0 || attemptUnderWay(st, now))
      throw new ApiError(
        'conflict',
        `the message is ${st.status}${st.attempts ? ' and was attempted' : ''}: only a message not yet attempted can be rescheduled`,
      )
    return null
  })
  if (!current) throw new ApiError('not_found', 'no message has this id')
  await deps.store.put(queueKeys.entry(due, id), '')
  const res = await updateMessageState(deps, id, (st) => {
    if ((st.status !== 'scheduled' && st.status !== 'queued') || st.attempts > 0)
      throw new ApiError('conflict', `the message is ${st.status}: it cannot be rescheduled`)
    return { ...st, status: due > now ? 'scheduled' : 'queued', sendAt: nextAttemptAt, nextAttemptAt, updatedAt: new Date(now).toISOString() }
  })
  const entry = queueEntryOf(current.before)
  if (entry && entry !== queueKeys.entry(due, id)) await deps.store.delete(entry)
  return res!.after!
}
