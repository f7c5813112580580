import { Readable } from 'node:stream'
import MailComposer from 'nodemailer/lib/mail-composer'
import type { Deps } from '../deps.js'
import { getBookkeepingJson, getJson, putJson } from '../store/json.js'
import { messageKeys, queueKeys } from '../store/keys.js'
import { isPreconditionFailed } from '../store/object-store.js'
import { workerIsGone } from '../worker-id.js'
import { retryDelayMs } from './backoff.js'
import { classifySmtpFailure, classifySmtpSuccess, type DeliveryOutcome, type SmtpError, type SmtpInfo } from './classify.js'
import { composeMail } from './compose.js'
import { initialState, type AcceptedRequest, type DeliveryEvent, type MessageState } from './records.js'

/** How long a worker's claim on one attempt lasts (ms); past it another worker may take the message. */
export const LEASE_MS = 5 * 60_000

/** Why deliverMessage did or did not attempt. */
export type DeliverResult = { attempted: true; event: DeliveryEvent } | { attempted: false; reason: 'missing' | 'final' | 'not_due' | 'leased' }

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * Makes one delivery attempt for a due message and records it: claim the state by compare-and-swap (so two
 * workers never send the same attempt), send through the relay, write the attempt's event, then the new state and
 * its queue entry. A crash after the claim leaves the lease to expire and the message is tried again with the same
 * Message-ID (at-least-once; receivers deduplicate on Message-ID). `justAccepted`: the request, when the caller has
 * just stored it and no attempt can have been made yet.
 * @throws only on store failures; SMTP outcomes are recorded, not thrown.
 */
export async function deliverMessage(deps: Deps, id: string, owner: string, justAccepted?: AcceptedRequest): Promise<DeliverResult> {
  const keys = messageKeys(id)
  // No state object yet: the message was accepted and never attempted; its request says what the state is.
  // `justAccepted` (stored by this process) saves both reads; if another worker got there first, the create-only
  // claim below fails and this attempt stands down.
  const current: { value: MessageState; etag: string | null; record?: AcceptedRequest } | null = justAccepted
    ? { value: initialState(justAccepted), etag: null, record: justAccepted }
    : await currentState(deps, id)
  if (!current) return { attempted: false, reason: 'missing' }
  const st = current.value
  const now = deps.clock.now()
  const oldQueueKey = st.nextAttemptAt ? queueKeys.entry(Date.parse(st.nextAttemptAt), id) : null
  if (st.status === 'sent' || st.status === 'failed') {
    if (oldQueueKey) await deps.store.delete(oldQueueKey)
    return { attempted: false, reason: 'final' }
  }
  if (st.nextAttemptAt && Date.parse(st.nextAttemptAt) > now) return { attempted: false, reason: 'not_due' }
  if (st.lease && Date.parse(st.lease.until) > now) {
    if (!workerIsGone(st.lease.owner)) return { attempted: false, reason: 'leased' }
    deps.logger.warn({ id, previousOwner: st.lease.owner }, 'the worker holding this attempt is gone (crashed?); taking it over before its lease ends')
  }

  const attempt = st.attempts + 1
  let claimEtag: string
  try {
    const claimed: MessageState = { ...st, attempts: attempt, lease: { owner, until: iso(now + LEASE_MS) }, updatedAt: iso(now) }
    const condition = current.etag === null ? { ifNoneMatch: '*' as const } : { ifMatch: current.etag }
    claimEtag = (await putJson(deps.store, keys.state, claimed, { ...condition, durable: false })).etag
  } catch (err) {
    if (isPreconditionFailed(err)) return { attempted: false, reason: 'leased' }
    throw err
  }

  const record = current.record ?? (await getJson<AcceptedRequest>(deps.store, keys.request))!.value
  const pending = st.status === 'deferred' && st.pendingRecipients?.length ? st.pendingRecipients : undefined
  const outcome = await attemptSend(deps, record, pending)
  const finished = deps.clock.now()

  const retry = deps.config.retry
  let kind = outcome.kind
  let nextAt: number | null = null
  if (kind === 'deferred') {
    if (attempt >= retry.maxAttempts) kind = 'failed'
    else nextAt = finished + retryDelayMs(attempt, { baseMs: retry.baseDelayMs, maxMs: retry.maxDelayMs, random: deps.random, hintMs: outcome.retryAfterMs })
  }

  const event: DeliveryEvent = {
    id,
    attempt,
    at: iso(now),
    durationMs: finished - now,
    outcome: kind,
    reply: outcome.reply,
    enhancedStatus: outcome.enhancedStatus,
    response: outcome.response,
    ambiguous: outcome.ambiguous,
    accepted: outcome.accepted,
    rejected: outcome.rejected,
    nextAttemptAt: nextAt === null ? null : iso(nextAt),
  }
  // Attempt bookkeeping need not survive a power failure: losing it means one more attempt, with the same Message-ID.
  await putJson(deps.store, keys.event(attempt), event, { durable: false })

  const accepted = [...new Set([...st.accepted, ...outcome.accepted])]
  const rejected = [
    ...st.rejected.filter((r) => !outcome.accepted.includes(r.recipient) && !outcome.rejected.some((o) => o.recipient === r.recipient)),
    ...outcome.rejected,
  ]
  const next: MessageState = {
    ...st,
    status: kind,
    attempts: attempt,
    updatedAt: iso(finished),
    nextAttemptAt: event.nextAttemptAt,
    accepted,
    rejected,
    pendingRecipients: kind === 'deferred' && outcome.deferredRecipients.length ? outcome.deferredRecipients : pending && kind === 'deferred' ? pending : null,
    lease: null,
  }
  // The next queue entry exists before the old one goes, so a crash in between leaves one too many, never none.
  if (nextAt !== null) await deps.store.put(queueKeys.entry(nextAt, id), '')
  await putJson(deps.store, keys.state, next, { ifMatch: claimEtag, durable: false })
  if (oldQueueKey) await deps.store.delete(oldQueueKey)
  deps.logger.info({ id, messageId: st.messageId, attempt, outcome: kind, reply: outcome.reply, ambiguous: outcome.ambiguous }, 'delivery attempt')
  return { attempted: true, event }
}

/**
 * The message's state and its ETag; `null` when no message has that id. With no state object yet, the state of a
 * message no attempt has touched, with the request it was derived from (read once, used twice). A state object
 * cut short by a power failure (getBookkeepingJson) is rebuilt the same way, counting the attempt events already
 * written, and keeps its ETag so the claim replaces it.
 */
async function currentState(deps: Deps, id: string): Promise<{ value: MessageState; etag: string | null; record?: AcceptedRequest } | null> {
  const keys = messageKeys(id)
  const state = await getBookkeepingJson<MessageState>(deps.store, keys.state)
  if (state?.value) return { value: state.value, etag: state.etag }
  const record = await getJson<AcceptedRequest>(deps.store, keys.request)
  if (!record) return null
  const value = initialState(record.value)
  if (state) {
    value.attempts = (await deps.store.list(keys.events)).length
    deps.logger.warn({ id, attempts: value.attempts }, 'state.json was cut short (a power failure?); rebuilt from the request')
  }
  return { value, etag: state?.etag ?? null, record: record.value }
}

async function attemptSend(deps: Deps, record: AcceptedRequest, recipients: string[] | undefined): Promise<DeliveryOutcome> {
  if (!deps.relay) {
    return classifySmtpFailure({ code: 'ECONNECTION', message: 'no SMTP relay is configured' })
  }
  const mail = composeMail(record, recipients)
  // Compose first and stream the bytes ourselves: when the stream has been read to its end, the whole message
  // has gone to the relay, and a drop from then on is ambiguous (nodemailer reports it only as "CONN").
  let messageWritten = false
  try {
    const raw = await new MailComposer(mail).compile().build()
    const stream = Readable.from([raw])
    stream.on('end', () => (messageWritten = true))
    const info = (await deps.relay.sendMail({ envelope: mail.envelope, raw: stream })) as SmtpInfo
    return classifySmtpSuccess(info)
  } catch (err) {
    return classifySmtpFailure(err as SmtpError, { messageWritten })
  }
}
