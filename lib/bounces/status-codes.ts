/** class.subject.detail (RFC 3463 §2), not part of a longer dotted number such as an IP address or a version. */
const ENHANCED = /(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?!\.?\d)/
const ENHANCED_ALONE = /^[245]\.\d{1,3}\.\d{1,3}$/

/** The first RFC 3463 enhanced status code in a text (`5.1.1`, also qmail's `#5.5.0`), or null. */
export function findStatusCode(text: string | null): string | null {
  const m = text ? ENHANCED.exec(text) : null
  return m ? `${m[1]}.${m[2]}.${m[3]}` : null
}

/** A DSN Status value that is a well-formed RFC 3463 code, else null (some MTAs write words or nothing there). */
export const validStatus = (status: string | null): string | null => (status && ENHANCED_ALONE.test(status) ? status : null)

/**
 * The SMTP reply code (RFC 5321 §4.2) a diagnostic text starts with, or that follows `said:`, `<<<` or
 * `returned was:` (qmail, sendmail, Gmail transcripts); a number elsewhere (a port, a count) is not taken.
 */
export function findReplyCode(text: string | null): number | null {
  if (!text) return null
  const m = /(?:^|said:?|<<<|returned was:)\s*#?([245]\d\d)(?![\d.])/im.exec(text)
  return m ? Number(m[1]) : null
}
