import { parseReport } from '../bounces/parse-report.js'
import type { Report, ReportRecipient } from '../bounces/report.js'
import type { Deps } from '../deps.js'
import type { BounceInfo, ComplaintInfo } from '../events/outbound-events.js'
import type { InboundMessage, ReportSummary } from '../normalize/inbound-message.js'
import { getJson } from '../store/json.js'
import { messageKeys } from '../store/keys.js'
import { allRecipients, type AcceptedRequest } from '../send/records.js'
import { matchCandidates, type MatchedBy } from './match.js'
import { recordBounce, recordComplaint } from './record-feedback.js'

/** Where a report came from: the mailbox it was polled from (null: the local sandbox) and its inbound document. */
export interface ReportOrigin {
  mailbox: string | null
  /** Postern id of the received report (its inbound document), or null. */
  reportId: string | null
  /** ISO 8601, when it arrived. */
  receivedAt: string
}

/**
 * The message recipient a report's recipient stands for: the same address (the domain compared case-insensitively,
 * RFC 5321 §2.4) or its Original-Recipient; the only recipient when there is one (a forwarded address reports
 * another); else the address as the report gives it.
 */
export function resolveRecipient(record: AcceptedRequest, r: Pick<ReportRecipient, 'recipient' | 'originalRecipient'>): string {
  const norm = (a: string) => {
    const at = a.lastIndexOf('@')
    return `${a.slice(0, at).replace(/^"(.*)"$/, '$1')}@${a.slice(at + 1).toLowerCase()}`
  }
  const all = allRecipients(record)
  const wanted = [r.recipient, r.originalRecipient].filter((a): a is string => Boolean(a)).map(norm)
  return (
    all.find((a) => wanted.includes(norm(a))) ??
    all.find((a) => wanted.some((w) => w.toLowerCase() === norm(a).toLowerCase())) ??
    (all.length === 1 ? all[0] : r.recipient)
  )
}

const summaryOf = (report: Report): ReportSummary => ({
  kind: report.kind,
  format: report.format,
  feedbackType: report.feedbackType,
  originalMessageId: report.originalMessageId,
  recipients: report.recipients.map((r) => ({ recipient: r.recipient, action: r.action, status: r.status, classification: r.classification })),
  linked: null,
})

/**
 * Recognises a bounce or a complaint in a received message (lib/bounces/parse-report.ts) and links it to the outbound
 * message it answers (lib/feedback/match.ts): for a bounce, each failed or delayed recipient is recorded on the
 * message (hard bounces suppress the address and, once every accepted recipient bounced, make the message
 * `bounced`) with one `message.bounced` event per (recipient, hard/soft); for a complaint, one `message.complained`
 * per recipient and a suppression (not for auth-failure or not-spam reports). Idempotent: linking the same report
 * again records nothing new, so a report polled twice or re-read after a crash yields the same events.
 * Returns what goes in the inbound document's `report` (null when the message is neither).
 * @throws whatever the store throws.
 */
export async function linkReport(deps: Deps, raw: Buffer, doc: InboundMessage, origin: ReportOrigin): Promise<ReportSummary | null> {
  const report = parseReport(raw, doc)
  if (!report) return null
  const summary = summaryOf(report)
  for (const c of matchCandidates(report, deps.config)) {
    const stored = await getJson<AcceptedRequest>(deps.store, messageKeys(c.id).request)
    if (!stored) continue
    const record = stored.value
    summary.linked = { id: record.id, messageId: record.messageId, matchedBy: c.matchedBy }
    if (report.kind === 'bounce') await applyBounce(deps, record, report, doc, c.matchedBy, origin)
    else await applyComplaint(deps, record, report, c.matchedBy, origin)
    deps.logger.info(
      { id: record.id, kind: report.kind, matchedBy: c.matchedBy, reportId: origin.reportId, mailbox: origin.mailbox },
      `${report.kind} linked to a sent message`,
    )
    return summary
  }
  deps.logger.info(
    { kind: report.kind, originalMessageId: report.originalMessageId, reportId: origin.reportId, mailbox: origin.mailbox },
    `${report.kind} matches no message sent through Postern`,
  )
  return summary
}

async function applyBounce(deps: Deps, record: AcceptedRequest, report: Report, doc: InboundMessage, matchedBy: MatchedBy, origin: ReportOrigin) {
  for (const r of report.recipients) {
    if (r.action !== 'failed' && r.action !== 'delayed') continue
    const info: BounceInfo = {
      type: r.classification ?? (r.action === 'delayed' ? 'soft' : 'hard'),
      action: r.action,
      status: r.status,
      diagnosticCode: r.diagnosticCode,
      remoteMta: r.remoteMta,
      reportingMta: doc.dsn?.reportingMta ?? null,
      format: report.format === 'plain' ? 'plain' : 'dsn',
      matchedBy,
      reportId: origin.reportId,
      mailbox: origin.mailbox,
      receivedAt: origin.receivedAt,
    }
    await recordBounce(deps, record, resolveRecipient(record, r), info)
  }
}

async function applyComplaint(deps: Deps, record: AcceptedRequest, report: Report, matchedBy: MatchedBy, origin: ReportOrigin) {
  const info: ComplaintInfo = {
    feedbackType: report.feedbackType,
    matchedBy,
    reportId: origin.reportId,
    mailbox: origin.mailbox,
    receivedAt: origin.receivedAt,
  }
  const named = report.recipients.map((r) => resolveRecipient(record, r))
  // A report naming no recipient (auth-failure reports name none) is about the message as sent.
  for (const recipient of [...new Set(named.length ? named : allRecipients(record))]) await recordComplaint(deps, record, recipient, info)
}
