import type { Deps } from '../deps.js'
import type { RecipientSuppression } from '../events/outbound-events.js'
import { getBookkeepingJson, getJson, putJson } from '../store/json.js'
import { messageKeys, queueKeys } from '../store/keys.js'
import { isPreconditionFailed } from '../store/object-store.js'
import { findSuppressions, suppressionScope } from '../suppressions/suppression.js'
import { workerIsGone } from '../worker-id.js'
import { recordAttemptEvents } from './attempt-events.js'
import { attemptSend, type AttemptOutcome } from './attempt-send.js'
import { retryDelayMs } from './backoff.js'
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

/** What one attempt came to, as recorded: its event, and what the state and the outbound events need besides. */
interface Attempted {
  event: DeliveryEvent
  outcome: AttemptOutcome
  sendTo: string[]
  suppressed: RecipientSuppression[]
  /** Recipients the attempt found suppressed (their earlier suppression entries are replaced). */
  suppressedNow: Set<string>
  /** Recovered from the record of a worker that died before writing the state: nothing was sent now. */
  recovered: boolean
}

/**
 * Makes one delivery attempt for a due message and records it: claim the state by compare-and-swap (so two
 * workers never send the same attempt; the first claim fixes the `Date:` header), leave out suppressed recipients,
 * send through the relay, write the attempt's event, record its outbound events (message.sent, .deferred, .failed),
 * then the new state and its queue entry. A crash after the claim leaves the lease to expire; the next worker then
 * finishes from the attempt's event when it was written (nothing is sent again), else tries again with the same
 * Message-ID and Date (at-least-once; receivers deduplicate on Message-ID). `justAccepted`: the request, when the
 * caller has just stored it and no attempt can have been made yet.
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
  // A claim left behind whose attempt was recorded: the worker died between its event and its state.
  const recorded = st.lease ? (await getBookkeepingJson<DeliveryEvent>(deps.store, messageKeys(id).event(st.attempts)))?.value : null

  const attempt = recorded ? st.attempts : st.attempts + 1
  const claimed: MessageState = { ...st, attempts: attempt, date: st.date ?? iso(now), lease: { owner, until: iso(now + LEASE_MS) }, updatedAt: iso(now) }
  let claimEtag: string
  try {
    claimEtag = await writeMessageState(deps, id, current, claimed, false)
  } catch (err) {
    if (isPreconditionFailed(err)) return { attempted: false, reason: 'leased' }
    throw err
  }
  const record = current.record ?? (await getJson<AcceptedRequest>(deps.store, messageKeys(id).request))!.value
  const done = recorded ? fromRecord(recorded) : await attemptNow(deps, record, st, attempt, now, claimed.date!)
  if (done.recovered) deps.logger.warn({ id, attempt }, 'finished an attempt a dead worker had made and recorded; nothing sent again')
  await finish(deps, owner, record, st, { value: claimed, etag: claimEtag }, done, oldQueueKey)
  return { attempted: true, event: done.event }
}

/** Sends the attempt now: suppressed recipients left out, the outcome classified and its event written. */
async function attemptNow(deps: Deps, record: AcceptedRequest, st: MessageState, attempt: number, now: number, date: string): Promise<Attempted> {
  const pending = st.status === 'deferred' && st.pendingRecipients?.length ? st.pendingRecipients : undefined
  const targets = pending ?? allRecipients(record)
  const found = await findSuppressions(deps, suppressionScope(deps.config, record.request.from.address), targets)
  const suppressed = [...found].map(([recipient, s]) => ({ recipient, reason: s.reason, since: s.createdAt }))
  const sendTo = targets.filter((t) => !found.has(t))
  const outcome = sendTo.length ? await attemptSend(deps, record, sendTo, new Date(date)) : allSuppressed()
  const finished = deps.clock.now()

  const retry = deps.config.retry
  let nextAt: number | null = null
  if (outcome.kind === 'deferred') {
    if (attempt >= retry.maxAttempts) [outcome.kind, outcome.reason] = ['failed', 'retries_exhausted']
    else nextAt = finished + retryDelayMs(attempt, { baseMs: retry.baseDelayMs, maxMs: retry.maxDelayMs, random: deps.random, hintMs: outcome.retryAfterMs })
  } else if (outcome.kind === 'failed') outcome.reason ??= 'rejected'
  const event: DeliveryEvent = {
    id: record.id,
    attempt,
    at: iso(now),
    durationMs: finished - now,
    outcome: outcome.kind,
    reply: outcome.reply,
    enhancedStatus: outcome.enhancedStatus,
    response: outcome.response,
    ambiguous: outcome.ambiguous,
    accepted: outcome.accepted,
    rejected: outcome.rejected,
    nextAttemptAt: nextAt === null ? null : iso(nextAt),
    reason: outcome.kind === 'failed' ? outcome.reason : null,
    recipients: sendTo,
    suppressed,
  }
  // Attempt bookkeeping need not survive a power failure: losing it means one more attempt, with the same Message-ID.
  await putJson(deps.store, messageKeys(record.id).event(attempt), event, { durable: false })
  return { event, outcome, sendTo, suppressed, suppressedNow: new Set(found.keys()), recovered: false }
}

/** The attempt a dead worker made and recorded, as if it had just been made. */
function fromRecord(event: DeliveryEvent): Attempted {
  const outcome: AttemptOutcome = {
    kind: event.outcome,
    reply: event.reply,
    enhancedStatus: event.enhancedStatus,
    response: event.response,
    ambiguous: event.ambiguous,
    retryAfterMs: null,
    accepted: event.accepted,
    rejected: event.rejected,
    deferredRecipients: event.outcome === 'deferred' ? event.rejected.filter((r) => r.reply !== null && r.reply < 500).map((r) => r.recipient) : [],
    relayProblem: null,
    reason: event.reason ?? (event.outcome === 'failed' ? 'rejected' : null),
  }
  const suppressed = event.suppressed ?? []
  const sendTo = event.recipients ?? [...event.accepted, ...event.rejected.map((r) => r.recipient)]
  return { event, outcome, sendTo, suppressed, suppressedNow: new Set(suppressed.map((s) => s.recipient)), recovered: true }
}

/** Records what an attempt came to: its outbound events, the next queue entry, the state over the claim. */
async function finish(deps: Deps, owner: string, record: AcceptedRequest, st: MessageState, claim: StateSnapshot, a: Attempted, oldQueueKey: string | null) {
  const { event, outcome } = a
  const kind = event.outcome
  const pending = st.status === 'deferred' && st.pendingRecipients?.length ? st.pendingRecipients : undefined
  const next: MessageState = {
    ...claim.value,
    status: kind,
    updatedAt: iso(Date.parse(event.at) + event.durationMs),
    nextAttemptAt: event.nextAttemptAt,
    accepted: [...new Set([...st.accepted, ...outcome.accepted])],
    rejected: [
      ...st.rejected.filter((r) => !outcome.accepted.includes(r.recipient) && !outcome.rejected.some((o) => o.recipient === r.recipient)),
      ...outcome.rejected,
    ],
    suppressed: [...(st.suppressed ?? []).filter((s) => !a.suppressedNow.has(s.recipient)), ...a.suppressed],
    pendingRecipients: kind === 'deferred' && outcome.deferredRecipients.length ? outcome.deferredRecipients : pending && kind === 'deferred' ? pending : null,
    reason: kind === 'failed' ? outcome.reason : null,
    lease: null,
  }
  const summary = { attempt: event.attempt, kind, reason: outcome.reason, outcome, sendTo: a.sendTo, suppressed: a.suppressed, nextAt: event.nextAttemptAt }
  next.sequence = (await recordAttemptEvents(deps, { sequence: st.sequence ?? 0 }, record, summary, Date.parse(event.at) + event.durationMs)).sequence
  // The next queue entry exists before the old one goes, so a crash in between leaves one too many, never none.
  if (event.nextAttemptAt) await deps.store.put(queueKeys.entry(Date.parse(event.nextAttemptAt), record.id), '')
  await writeOutcome(deps, record.id, owner, claim, next)
  if (oldQueueKey && oldQueueKey !== (event.nextAttemptAt ? queueKeys.entry(Date.parse(event.nextAttemptAt), record.id) : null))
    await deps.store.delete(oldQueueKey)
  if (!a.recovered) logAttempt(deps, record, event, outcome, outcome.reason, a.sendTo)
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
