import type { Dsn, DsnRecipient } from './inbound-message.js'
import { parseDate } from './dates.js'

const RECIPIENT_FIELDS = new Set([
  'original-recipient',
  'final-recipient',
  'action',
  'status',
  'remote-mta',
  'diagnostic-code',
  'last-attempt-date',
  'final-log-id',
  'will-retry-until',
])

/** `rfc822; user@example.com` -> `user@example.com`: the value after the type (RFC 3464 §2.1.2), unbracketed. */
const typed = (v: string | undefined) => {
  if (v === undefined) return null
  const semi = v.indexOf(';')
  const out = (semi < 0 ? v : v.slice(semi + 1)).trim().replace(/^<(.*)>$/, '$1')
  return out || null
}

/**
 * Parses the body of a message/delivery-status part (RFC 3464 §2.1-2.3; RFC 6533 message/global-delivery-status
 * has the same syntax). Fields are folded lines `Name: value`; the per-message block comes first, then one block
 * per recipient. Blocks are split by blank lines and, for reports that omit them, by a recipient field seen twice.
 * The first of a repeated field wins. Returns null when there is no recipient block at all; `originalMessageId`
 * is left null for the caller. Never throws.
 */
export function parseDeliveryStatus(text: string): Dsn | null {
  const perMessage = new Map<string, string>()
  const recipients: Array<Map<string, string>> = []
  let current: Map<string, string> | null = null
  let lastField: { block: Map<string, string>; name: string } | null = null
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (!line.trim()) {
      current = null
      lastField = null
      continue
    }
    if (/^[ \t]/.test(line)) {
      if (lastField) lastField.block.set(lastField.name, `${lastField.block.get(lastField.name)} ${line.trim()}`)
      continue
    }
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    let block: Map<string, string>
    if (RECIPIENT_FIELDS.has(name)) {
      if (!current || current.has(name)) recipients.push((current = new Map()))
      block = current
    } else block = current ?? perMessage
    if (block.has(name)) lastField = null
    else {
      block.set(name, value)
      lastField = { block, name }
    }
  }
  if (!recipients.length) return null
  const reportingMta = typed(perMessage.get('reporting-mta'))
  const arrival = perMessage.get('arrival-date')
  return {
    reportingMta,
    arrivalDate: arrival ? parseDate(arrival) : null,
    originalEnvelopeId: perMessage.get('original-envelope-id') || null,
    originalMessageId: null,
    fields: Object.fromEntries(perMessage),
    recipients: recipients.map(
      (r): DsnRecipient => ({
        action:
          r
            .get('action')
            ?.split(/[\s(;]/)[0]
            .toLowerCase() || null,
        status: /\d\.\d{1,3}\.\d{1,3}/.exec(r.get('status') ?? '')?.[0] ?? (r.get('status') || null),
        finalRecipient: typed(r.get('final-recipient')),
        originalRecipient: typed(r.get('original-recipient')),
        diagnosticCode: typed(r.get('diagnostic-code')),
        remoteMta: typed(r.get('remote-mta')),
        reportingMta,
        fields: Object.fromEntries(r),
      }),
    ),
  }
}
