/** `message.received` as recorded: what the event is about; the payload is built from the stored JSON at delivery. */
export interface MessageReceivedRef {
  messageId: string
  /** IMAP folder it was read from; null for POP3. */
  folder: string | null
  docKey: string
  rawKey: string
  parseError: string | null
}

/** `mailbox.reset`: a folder's UIDVALIDITY changed (RFC 3501 §2.3.1.1): its UIDs were renumbered and it is resynced. */
export interface MailboxResetData {
  folder: string
  previousUidValidity: string
  uidValidity: string
  reason: 'uidvalidity-changed'
}
