import type { InboundMessage } from '../normalize/inbound-message.js'
import type { EventRecord } from '../events/outbox.js'
import type { OutboundEventData } from '../events/outbound-events.js'
import type { WebhookPayload } from './payload.js'

/** Resend's name for each Postern event type it has one for (https://resend.com/docs/dashboard/webhooks/event-types). */
const RESEND_TYPE: Partial<Record<EventRecord['type'], string>> = {
  'message.sent': 'email.sent',
  'message.deferred': 'email.delivery_delayed',
  'message.failed': 'email.failed',
  'message.bounced': 'email.bounced',
  'message.complained': 'email.complained',
  'message.received': 'email.received',
}

const addresses = (list: { name: string; address: string }[]) => list.map((a) => a.address)

/**
 * The event in Resend's webhook shape (`{ type, created_at, data }`, the `resend` SDK's WebhookEventPayload), for
 * endpoints with `format: "resend"`; null for events Resend has no type for (`mailbox.reset`, `message.canceled`).
 * A message whose every recipient was suppressed is Resend's `email.suppressed`. Postern metadata travels as
 * Resend's `tags`, ids are Postern's.
 */
export function toResendPayload(record: EventRecord, payload: WebhookPayload): object | null {
  if (record.type === 'message.received') {
    const m = (payload.data.message ?? {}) as InboundMessage
    return {
      type: 'email.received',
      created_at: record.createdAt,
      data: {
        email_id: m.id,
        created_at: m.receivedAt,
        from: m.from?.[0]?.address ?? '',
        to: addresses(m.to ?? []),
        cc: addresses(m.cc ?? []),
        bcc: addresses(m.bcc ?? []),
        received_for: addresses(m.to ?? []),
        message_id: m.messageId ?? '',
        subject: m.subject ?? '',
        attachments: (m.attachments ?? []).map((a) => ({
          id: a.id,
          filename: a.filename,
          content_type: a.contentType,
          content_disposition: a.disposition,
          content_id: a.contentId,
        })),
      },
    }
  }
  const d = record.data as OutboundEventData
  const suppressedAll = record.type === 'message.failed' && d.reason === 'all_recipients_suppressed'
  const type = suppressedAll ? 'email.suppressed' : RESEND_TYPE[record.type]
  if (!type) return null
  const base = { created_at: d.createdAt, email_id: d.id, message_id: d.messageId, from: d.from, to: d.to, subject: d.subject, tags: d.metadata }
  const extra: Record<string, unknown> = {}
  if (record.type === 'message.bounced' && d.bounce) {
    extra.bounce = {
      message: d.bounce.diagnosticCode ?? d.response ?? `bounced (${d.bounce.status ?? 'no status'})`,
      subType: d.bounce.status ?? 'General',
      type: d.bounce.type === 'hard' ? 'Permanent' : 'Transient',
    }
  }
  if (suppressedAll)
    extra.suppressed = { message: `every recipient is on the suppression list (${d.suppressed.map((s) => s.reason).join(', ')})`, type: 'suppression' }
  else if (record.type === 'message.failed') extra.failed = { reason: d.response ?? d.reason ?? 'failed' }
  return { type, created_at: record.createdAt, data: { ...base, ...extra } }
}
