import type { Deps } from '../deps.js'
import { getJson, putJson } from '../store/json.js'
import { messageKeys, queueKeys } from '../store/keys.js'
import { isPreconditionFailed } from '../store/object-store.js'
import { findSuppressions, suppressionScope } from '../suppressions/suppression.js'
import { workerIsGone } from '../worker-id.js'
import { attemptSend, type AttemptOutcome } from './attempt-send.js'
import { retryDelayMs } from './backoff.js'
import { recordAttemptEvents } from './attempt-events.js'
import { readMessageState, writeMessageState, type StateSnapshot } from './message-state.js'
import { allRecipients, FINAL_STATUSES, initialState, statusAfterBounces, type AcceptedRequest, type DeliveryEvent, type MessageState } from './records.js'
import { trackRelay } from './relay-alerts.js'

/** How long a worker's claim on one attempt lasts (ms); past it another worker may take the message. */
export const LEASE_MS = 5 * 60_000

/** Why deliverMessage did or did not attempt. */
export type DeliverResult = { attempted: true; event: DeliveryEvent } | { attempted: false; reason: 'missing' | 'final' | 'not_due' | 'leased' }

const iso = (ms: number) => new Date(ms).toISOString()

/** The outcome of an attempt that found every recipient suppressed: failed, and nothing sent. */
const allSuppressed = (): AttemptOutcome => ({
  kind: 'failed',
  reply: null,
  enhancedStatus: null,
  response: 'every recipient is on the suppression list',
  ambiguous: false,
  retryAfterMs: null,
  accepted: [],
  rejected: [],
  deferredRecipients: [],
  relayProblem: null,
  reason: 'all_recipients_suppressed',
})

/**
 * Makes one delivery attempt for a due message and records it: claim the state by compare-and-swap (so two
 * workers never send the same attempt; the first claim fixes the `Date:` header), leave out suppressed recipients,
 * send through the relay, write the attempt's event, record its outbound events (message.sent, .deferred, .failed),
 * then the new state and its queue entry. A crash after the claim leaves the lease to expire and the message is tried
 * again with the same Message-ID and Date (at-least-once; receivers deduplicate on Message-ID). `justAccepted`: the
 * request, when the caller has just stored it and no attempt can have been made yet.
 * @throws only on store failures; SMTP outcomes are recorded, not thrown.
 */
export async function deliverMessage(deps: Deps, id: string, owner: string, justAccepted?: AcceptedRequest): Promise<DeliverResult> {
  // `justAccepted` (stored by this process) saves both reads; if another worker got there first, the create-only
  // claim below fails and this attempt stands down.
  const current: StateSnapshot | null = justAccepted
    ? { value: initialState(justAccepted), etag: null, record: justAccepted }
    : await readMessageState(deps, id)
  if (!current) return { attempted: false, reason: 'missing' }
  const st = current.value
  const now = deps.clock.now()
  const oldQueueKey = st.nextAttemptAt ? queueKeys.entry(Date.parse(st.nextAttemptAt), id) : null
  if (FINAL_STATUSES.has(st.status)) {
    if (oldQueueKey) await deps.store.delete(oldQueueKey)
    return { attempted: false, reason: 'final' }
  }
  if (st.nextAttemptAt && Date.parse(st.nextAttemptAt) > now) return { attempted: false, reason: 'not_due' }
  if (st.lease && Date.parse(st.lease.until) > now) {
    if (!workerIsGone(st.lease.owner)) return { attempted: false, reason: 'leased' }
    deps.logger.warn({ id, previousOwner: st.lease.owner }, 'the worker holding this attempt is gone (crashed?); taking it over before its lease ends')
  }

  const attempt = st.attempts + 1
  const claimed: MessageState = { ...st, attempts: attempt, date: st.date ?? iso(now), lease: { owner, until: iso(now + LEASE_MS) }, updatedAt: iso(now) }
  let claimEtag: string
  try {
    claimEtag = await writeMessageState(deps, id, current, claimed, false)
  } catch (err) {
    if (isPreconditionFailed(err)) return { attempted: false, reason: 'leased' }
    throw err
  }

  const record = current.record ?? (await getJson<AcceptedRequest>(deps.store, messageKeys(id).request))!.value
  const pending = st.status === 'deferred' && st.pendingRecipients?.length ? st.pendingRecipients : undefined
  const targets = pending ?? allRecipients(record)
  const found = await findSuppressions(deps, suppressionScope(deps.config, record.request.from.address), targets)
  const suppressed = [...found].map(([recipient, s]) => ({ recipient, reason: s.reason, since: s.createdAt }))
  const sendTo = targets.filter((t) => !found.has(t))
  const outcome = sendTo.length ? await attemptSend(deps, record, sendTo, new Date(claimed.date!)) : allSuppressed()
  const finished = deps.clock.now()

  const retry = deps.config.retry
  let kind = outcome.kind
  let reason = outcome.reason
  let nextAt: number | null = null
  if (kind === 'deferred') {
    if (attempt >= retry.maxAttempts) [kind, reason] = ['failed', 'retries_exhausted']
    else nextAt = finished + retryDelayMs(attempt, { baseMs: retry.baseDelayMs, maxMs: retry.maxDelayMs, random: deps.random, hintMs: outcome.retryAfterMs })
  } else if (kind === 'failed') reason ??= 'rejected'

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
  await putJson(deps.store, messageKeys(id).event(attempt), event, { durable: false })

  const next: MessageState = {
    ...claimed,
    status: kind,
    updatedAt: iso(finished),
    nextAttemptAt: event.nextAttemptAt,
    accepted: [...new Set([...st.accepted, ...outcome.accepted])],
    rejected: [
      ...st.rejected.filter((r) => !outcome.accepted.includes(r.recipient) && !outcome.rejected.some((o) => o.recipient === r.recipient)),
      ...outcome.rejected,
    ],
    suppressed: [...(st.suppressed ?? []).filter((s) => !found.has(s.recipient)), ...suppressed],
    pendingRecipients: kind === 'deferred' && outcome.deferredRecipients.length ? outcome.deferredRecipients : pending && kind === 'deferred' ? pending : null,
    reason: kind === 'failed' ? reason : null,
    lease: null,
  }
  next.sequence = (
    await recordAttemptEvents(
      deps,
      { sequence: st.sequence ?? 0 },
      record,
      { attempt, kind, reason, outcome, sendTo, suppressed, nextAt: event.nextAttemptAt },
      finished,
    )
  ).sequence
  // The next queue entry exists before the old one goes, so a crash in between leaves one too many, never none.
  if (nextAt !== null) await deps.store.put(queueKeys.entry(nextAt, id), '')
  await writeOutcome(deps, id, owner, { value: claimed, etag: claimEtag }, next)
  if (oldQueueKey) await deps.store.delete(oldQueueKey)
  logAttempt(deps, record, event, outcome, reason, sendTo)
  return { attempted: true, event }
}

/**
 * Writes an attempt's outcome over its claim. A bounce or complaint recorded while the attempt ran (a report can come
 * back before the attempt is recorded) changed the state since the claim: its entries and sequence are kept, the
 * outcome is applied on top, and the write is tried again, as long as the claim is still this worker's.
 * @throws Error when another worker took the claim over (its lease ran out): that worker records its own attempt.
 */
async function writeOutcome(deps: Deps, id: string, owner: string, claim: StateSnapshot, next: MessageState): Promise<void> {
  let from = claim
  for (let i = 0; i < 20; i++) {
    try {
      await writeMessageState(deps, id, from, next, false)
      return
    } catch (err) {
      if (!isPreconditionFailed(err)) throw err
    }
    const current = await readMessageState(deps, id)
    if (!current || current.value.lease?.owner !== owner)
      throw new Error(`message ${id}: the claim on this attempt was taken over before its outcome was recorded`)
    const c = current.value
    next = { ...next, bounces: c.bounces, complaints: c.complaints, sequence: Math.max(c.sequence ?? 0, next.sequence ?? 0) }
    next.status = statusAfterBounces(next)
    from = current
  }
  throw new Error(`message ${id}: its state kept changing while the attempt's outcome was recorded`)
}

/** One log line per attempt: info when sent, warn when deferred, error when failed (debug while the relay is failing). */
function logAttempt(deps: Deps, record: AcceptedRequest, event: DeliveryEvent, outcome: AttemptOutcome, reason: string | null, sendTo: string[]) {
  const relayFailing = trackRelay(deps.config, deps.logger, outcome, deps.clock.now())
  const recipientDomains = [...new Set(sendTo.map((a) => a.slice(a.lastIndexOf('@') + 1)))]
  const line = {
    id: record.id,
    messageId: record.messageId,
    attempt: event.attempt,
    outcome: event.outcome,
    reason,
    recipientDomains,
    reply: event.reply,
    enhancedStatus: event.enhancedStatus,
    response: event.response,
    ambiguous: event.ambiguous,
    nextAttemptAt: event.nextAttemptAt,
  }
  if (event.outcome === 'sent') deps.logger.info(line, 'delivery attempt: sent')
  else if (relayFailing && outcome.relayProblem) deps.logger.debug(line, `delivery attempt: ${event.outcome} (the relay is failing)`)
  else if (event.outcome === 'deferred') deps.logger.warn(line, 'delivery attempt: deferred')
  else deps.logger.error(line, 'delivery attempt: failed')
}
