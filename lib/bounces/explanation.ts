import { parseMessageIds } from '../normalize/message-ids.js'
import { headersOf, type TextHeader } from './report-parts.js'

/**
 * Lines that start the copy of the original a bounce quotes in its text: the separators of Exim, qmail and
 * Yahoo, old Gmail, GMX, sendmail, Exchange/Office 365 ("Original message headers:"), and, for copies pasted with
 * no separator (Oracle Messaging Server), a Return-Path or Received field at the start of a line.
 */
const COPY_MARKERS = [
  /^\s*-+ *This is a copy of the message/i,
  /^\s*-+ *Below this line is a copy of the message/i,
  /^\s*-+ *(?:Original|Returned|Undelivered) message/i,
  /^\s*-+ *The headers? of the original message/i,
  /^\s*-+ *(?:Message|Original message) headers? follows?/i,
  /^\s*Original message headers:/i,
  /^(?:Return-Path|Received):/i,
]

export interface SplitText {
  /** The report's own words: the text before the copy of the original (all of it when there is no copy). */
  explanation: string
  /** The quoted copy after its separator line, or null. */
  copy: string | null
}

/** Splits a report's text (line ends `\n`, as the inbound document has it) at the first copy marker. */
export function splitAtCopy(text: string | null): SplitText {
  const lines = (text ?? '').split('\n')
  const at = lines.findIndex((line) => COPY_MARKERS.some((re) => re.test(line)))
  if (at < 0) return { explanation: text ?? '', copy: null }
  const marker = /^(?:Return-Path|Received):/i.test(lines[at]) ? at : at + 1
  return { explanation: lines.slice(0, at).join('\n'), copy: lines.slice(marker).join('\n') }
}

/** The header fields at the start of a quoted copy (leading blank lines skipped); [] when there is none. */
export const quotedHeaders = (copy: string | null): TextHeader[] => (copy ? headersOf(Buffer.from(copy.replace(/^\s*\n/, ''), 'utf8')) : [])

/**
 * The msg-id of the first `Message-ID:` (or `Original-Message-ID:`) line anywhere in a text that holds one,
 * indented or `>`-quoted, folded lines joined: the Message-ID of a copy or summary of the original quoted in the
 * body. Bracketed, or null.
 */
export function quotedMessageId(text: string | null): string | null {
  for (const m of (text ?? '').matchAll(/^[ \t>]*(?:Original-)?Message-ID[ \t]*:[ \t]*(.*(?:\n[ \t]+\S.*)*)/gim)) {
    const id = parseMessageIds(m[1].replace(/\n[ \t]+/g, ' '))[0]
    if (id) return id
  }
  return null
}

const SUMMARY_MAX = 1000

/** The first lines of an explanation, blank runs folded to one blank line, cut at a line end before 1,000 characters; null when empty. */
export function summarize(explanation: string): string | null {
  const text = explanation
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
  if (!text) return null
  if (text.length <= SUMMARY_MAX) return text
  const cut = text.lastIndexOf('\n', SUMMARY_MAX)
  return text.slice(0, cut > SUMMARY_MAX / 2 ? cut : SUMMARY_MAX).trimEnd()
}
