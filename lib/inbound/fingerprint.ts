import { createHash } from 'node:crypto'
import type { InboundMessage } from '../normalize/inbound-message.js'

/**
 * What identifies a message when its bytes may have changed (a server re-uploading it after a UIDVALIDITY reset
 * adds or rewrites a header): SHA-256 (hex) of its Message-ID, its Date (ISO 8601, else the header as written) and
 * its From addresses (lower-cased). Null without a Message-ID, or with neither Date nor From: too weak to match on.
 */
export function messageFingerprint(doc: Pick<InboundMessage, 'messageId' | 'date' | 'dateHeader' | 'from'>): string | null {
  if (!doc.messageId) return null
  const date = doc.date ?? doc.dateHeader ?? ''
  const from = doc.from.map((a) => a.address.toLowerCase()).join(',')
  if (!date && !from) return null
  return createHash('sha256').update(`${doc.messageId}\n${date}\n${from}`).digest('hex')
}
