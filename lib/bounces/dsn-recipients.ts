import type { DsnRecipient } from '../normalize/inbound-message.js'
import { classifyRecipient } from './classify.js'
import type { ReportRecipient } from './report.js'
import { findStatusCode, validStatus } from './status-codes.js'

const STANDARD_ACTIONS = new Set(['failed', 'delayed', 'delivered', 'relayed', 'expanded'])

/**
 * The RFC 3464 §2.3.3 action for what a report wrote: a standard value as it is; `expired` (SendGrid: the queue
 * lifetime ran out) and other `fail...` words mean failed; a missing or unknown action is read from the status
 * class (2 delivered, else failed: without NOTIFY an MTA reports failures and perhaps delays, RFC 3461 §4.1).
 */
export function mapAction(reported: string | null, status: string | null): string {
  if (reported && STANDARD_ACTIONS.has(reported)) return reported
  if (reported === 'expired' || reported?.startsWith('fail')) return 'failed'
  return status?.startsWith('2') ? 'delivered' : 'failed'
}

/**
 * One ReportRecipient per recipient block of a parsed delivery-status part (lib/normalize/dsn.ts) that names an
 * address (Final-Recipient, else Original-Recipient); blocks naming none are skipped. The status is the Status
 * field when it is a well-formed RFC 3463 code, else the first code in the Diagnostic-Code.
 */
export function dsnRecipients(blocks: DsnRecipient[], explanation: string): ReportRecipient[] {
  const out: ReportRecipient[] = []
  for (const b of blocks) {
    const recipient = b.finalRecipient ?? b.originalRecipient
    if (!recipient) continue
    const status = validStatus(b.status) ?? findStatusCode(b.diagnosticCode)
    const action = mapAction(b.action, status)
    out.push({
      recipient,
      originalRecipient: b.originalRecipient,
      action,
      status,
      diagnosticCode: b.diagnosticCode,
      remoteMta: b.remoteMta,
      classification: classifyRecipient({ action, reportedAction: b.action, status, diagnosticCode: b.diagnosticCode, explanation }),
    })
  }
  return out
}
