import type { MessageView } from '../send/message-view.js'

/** One line of a message's timeline on its page. */
export interface TimelineEntry {
  /** ISO 8601. */
  at: string
  /** accepted, scheduled, attempt (with its outcome), bounce, complaint, canceled. */
  kind: string
  /** A status for the badge (sent, deferred, failed, bounced, canceled...). */
  status: string
  /** What happened, in words, with the SMTP reply when there is one. */
  detail: string
}

/**
 * What happened to a message, oldest first: its acceptance, each attempt with the relay's reply, each bounce and
 * complaint linked to it, its cancellation. Entries at the same time keep that order. Pure.
 */
export function messageTimeline(v: MessageView): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    { at: v.createdAt, kind: 'accepted', status: v.sendAt ? 'scheduled' : 'queued', detail: v.sendAt ? `accepted, to be sent at ${v.sendAt}` : 'accepted' },
  ]
  for (const a of v.attempts) {
    // The relay's reply text starts with its code (nodemailer keeps the whole line); none came when reply is null.
    const reply = a.reply === null ? `no reply: ${a.response}` : a.response
    const next = a.nextAttemptAt ? `; next attempt ${a.nextAttemptAt}` : ''
    entries.push({ at: a.at, kind: `attempt ${a.attempt}`, status: a.outcome, detail: `${reply}${a.ambiguous ? ' (dropped after DATA)' : ''}${next}` })
  }
  for (const [recipient, b] of Object.entries(v.bounces)) {
    const why = [b.status, b.diagnosticCode].filter(Boolean).join(' ')
    entries.push({
      at: b.receivedAt,
      kind: 'bounce',
      status: b.type === 'hard' ? 'bounced' : 'deferred',
      detail: `${b.type} bounce for ${recipient}${why ? `: ${why}` : ''}`,
    })
  }
  for (const [recipient, f] of Object.entries(v.complaints)) {
    entries.push({ at: f.receivedAt, kind: 'complaint', status: 'failed', detail: `complaint (${f.feedbackType ?? 'unknown type'}) from ${recipient}` })
  }
  if (v.canceledAt) entries.push({ at: v.canceledAt, kind: 'canceled', status: 'canceled', detail: v.reason ?? 'canceled' })
  return entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.at.localeCompare(b.e.at) || a.i - b.i)
    .map(({ e }) => e)
}
