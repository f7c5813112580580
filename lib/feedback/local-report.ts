import type { Deps } from '../deps.js'
import { inboundMessageId } from '../inbound/message-id.js'
import { normalizeMessage } from '../normalize/normalize.js'
import { linkReport } from './link-report.js'

/**
 * Links a report that did not come through a polled mailbox (the local sandbox's simulated bounces and complaints)
 * exactly as a polled one is linked: normalized, parsed, matched, recorded. Never throws: a failure is logged.
 */
export async function linkLocalReport(deps: Deps, raw: Buffer): Promise<void> {
  try {
    const receivedAt = new Date(deps.clock.now()).toISOString()
    const id = inboundMessageId(raw)
    const { document } = await normalizeMessage(raw, { id, mailbox: 'sandbox', receivedAt, attachmentKey: (a, f) => `sandbox/reports/${id}/${a}/${f}` })
    const summary = await linkReport(deps, raw, document, { mailbox: null, reportId: null, receivedAt })
    if (!summary?.linked) deps.logger.warn({ kind: summary?.kind ?? null }, 'a sandbox report matched no message')
  } catch (err) {
    deps.logger.error({ err }, 'a sandbox report could not be linked')
  }
}
