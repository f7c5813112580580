import type { Report } from '../bounces/report.js'
import type { Config } from '../config/schema.js'

/** How a report was linked to an outbound message. */
export type MatchedBy = 'message-id' | 'references' | 'verp'

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/

/**
 * The Postern id in a Message-ID Postern made (`<id@domain>`, lib/send/accept.ts messageIdFor), or null when the
 * Message-ID is someone else's.
 */
export function idFromMessageId(messageId: string, domain: string): string | null {
  const m = /^<([^@<>]+)@([^<>]+)>$/.exec(messageId.trim())
  if (!m || m[2].toLowerCase() !== domain.toLowerCase()) return null
  const id = m[1].toUpperCase()
  return ULID.test(id) ? id : null
}

/** The Postern id a VERP return path carries (`returnPath` template `bounces+{id}@mail.example.com`), or null. */
export function idFromVerp(address: string, returnPath: string): string | null {
  const at = returnPath.lastIndexOf('@')
  const [before, after] = returnPath.slice(0, at).split('{id}')
  const domain = returnPath.slice(at + 1).toLowerCase()
  const a = address.lastIndexOf('@')
  if (a < 0 || address.slice(a + 1).toLowerCase() !== domain) return null
  const local = address.slice(0, a).toLowerCase()
  if (!local.startsWith(before.toLowerCase()) || !local.endsWith(after.toLowerCase())) return null
  const id = local.slice(before.length, local.length - after.length).toUpperCase()
  return ULID.test(id) ? id : null
}

/**
 * Candidate messages a report answers, most trusted first: the original's Message-ID inside it, then its
 * In-Reply-To/References, then (when `returnPath` is configured) the VERP address it was delivered to or the
 * original MAIL FROM it quotes. The caller checks each against the stored message.
 */
export function matchCandidates(report: Report, config: Pick<Config, 'domain' | 'returnPath'>): { id: string; matchedBy: MatchedBy }[] {
  const out: { id: string; matchedBy: MatchedBy }[] = []
  const add = (id: string | null, matchedBy: MatchedBy) => {
    if (id && !out.some((c) => c.id === id)) out.push({ id, matchedBy })
  }
  if (report.originalMessageId) add(idFromMessageId(report.originalMessageId, config.domain), 'message-id')
  for (const ref of report.references) add(idFromMessageId(ref, config.domain), 'references')
  if (config.returnPath) {
    for (const a of [...report.deliveredTo, ...(report.originalMailFrom ? [report.originalMailFrom] : [])]) add(idFromVerp(a, config.returnPath), 'verp')
  }
  return out
}
