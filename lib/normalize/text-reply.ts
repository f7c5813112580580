import EmailReplyParser from 'email-reply-parser'

/** Only the head of a long text is read: the new part of a reply is at the top, and the parser is regex-heavy. */
export const TEXT_REPLY_MAX_CHARS = 100_000

/**
 * The new text of a reply: `text` without quoted history (`> ` lines, "On ... wrote:", Outlook's
 * "-----Original Message-----" and From:/Sent: blocks) and without the signature (`-- `, "Sent from my iPhone"),
 * trailing whitespace trimmed; '' when nothing new is left. Uses email-reply-parser (crisp-oss, a port of
 * GitHub's EmailReplyParser) on the first TEXT_REPLY_MAX_CHARS characters. Null for null text. Never throws.
 */
export function extractTextReply(text: string | null): string | null {
  if (text === null) return null
  const head = text.slice(0, TEXT_REPLY_MAX_CHARS).replace(/\r\n/g, '\n')
  try {
    return new EmailReplyParser().parseReply(head).trimEnd()
  } catch {
    return head.trimEnd()
  }
}
