import type { AutoReplyReason, HeaderField } from './inbound-message.js'

/** First token of a header value, lower-cased: `auto-replied; owner-email=...` -> `auto-replied`. Reads the head only. */
const token = (v: string) =>
  v
    .slice(0, 256)
    .replace(/\([^)]*\)/g, ' ')
    .trim()
    .split(/[\s;,]+/)[0]
    ?.toLowerCase() ?? ''
const NEGATIVE = new Set(['', 'no', 'false', '0', 'off'])

/**
 * Tells whether headers mark a message as sent automatically, so a gateway user can avoid answering it (mail
 * loops) and filter it out. One reason per header that says so:
 * - `Auto-Submitted` with any value but `no` (RFC 3834 §5: auto-replied, auto-generated, auto-notified);
 * - `X-Autoreply` or `X-Autorespond` with a value other than no/false/0 (vacation programs, cPanel, Yahoo);
 * - `Precedence: auto_reply`, `bulk` or `junk` (RFC 3834 §3.1.8 names these as sent by automatons; `list` is
 *   not counted: people write to lists);
 * - `X-Auto-Response-Suppress` naming `All`, `OOF` or `AutoReply` (Microsoft [MS-OXCMAIL] §2.2.3.2.14: set by
 *   Exchange on its own out-of-office replies and notifications).
 * Not counted: `List-*` headers (mailing-list traffic is written by people), `Return-Path: <>` and reports
 * (bounces are described by `dsn` instead), `X-Auto-Response-Suppress` naming only DR/NDR/RN/NRN/OOF-less values.
 */
export function detectAutoReply(headers: HeaderField[]): AutoReplyReason[] {
  const reasons: AutoReplyReason[] = []
  for (const { name, value } of headers) {
    const t = token(value)
    const yes =
      (name === 'auto-submitted' && t !== 'no' && t !== '') ||
      ((name === 'x-autoreply' || name === 'x-autorespond') && !NEGATIVE.has(t)) ||
      (name === 'precedence' && (t === 'auto_reply' || t === 'bulk' || t === 'junk')) ||
      (name === 'x-auto-response-suppress' && /\b(?:all|oof|autoreply)\b/i.test(value))
    if (yes) reasons.push({ header: name, value })
  }
  return reasons
}
