import type { InboundMessage } from '../normalize/inbound-message.js'
import type { ObjectStore } from '../store/object-store.js'
import { inboundIndexKeys } from '../store/keys.js'
import { invertStamp } from './index-order.js'

/**
 * Inbound list indexes (docs/storage.md "## Indexes"). Written with the message's objects and before its stored
 * marker (lib/inbound/ingest.ts prepareMessage), so a crash leaves at most entries of a message not fully stored;
 * readers check the marker (lib/logs/list-inbound.ts) and skip those. Keys derive from the bytes and `receivedAt`,
 * so the repeat after a crash rewrites the same entries.
 */

/** Addresses indexed per message and field at most (an address header may hold thousands). */
const MAX_ADDRESSES = 100
/** Longer addresses are not indexed (a key holds 1,024 bytes): they are found by the other filters. */
const MAX_ADDRESS_LENGTH = 254

/** The body of an `all` entry: what a list shows of a received message. */
export interface InboundSummary {
  id: string
  mailbox: string
  /** ISO 8601: IMAP INTERNALDATE or POP3 retrieval time. */
  receivedAt: string
  /** Message-ID with angle brackets, or null. */
  messageId: string | null
  /** The Date header, ISO 8601, or null. */
  date: string | null
  /** From addresses (the first 100). */
  from: string[]
  /** To addresses (the first 100). */
  to: string[]
  /** Cc addresses (the first 100). */
  cc: string[]
  /** Decoded, or null when absent; cut at 1,000 characters. */
  subject: string | null
  /** Raw size in bytes. */
  size: number
  attachments: number
  parseError: string | null
}

const addresses = (list: { address: string }[]) =>
  [...new Set(list.map((a) => a.address))].filter((a) => a.length <= MAX_ADDRESS_LENGTH).slice(0, MAX_ADDRESSES)

export function inboundSummaryOf(doc: InboundMessage): InboundSummary {
  return {
    id: doc.id,
    mailbox: doc.mailbox,
    receivedAt: doc.receivedAt,
    messageId: doc.messageId,
    date: doc.date,
    from: addresses(doc.from),
    to: addresses(doc.to),
    cc: addresses(doc.cc),
    subject: doc.subject === null ? null : doc.subject.slice(0, 1000),
    size: doc.size,
    attachments: doc.attachments.length,
    parseError: doc.parseError,
  }
}

/**
 * The entry name (tail) of a received message in every inbound index: newest first, then id and mailbox (mailbox
 * ids hold no `.`, lib/config/mailbox.ts ResourceId).
 */
export const inboundTail = (receivedAt: string, id: string, mailbox: string) => `${invertStamp(Date.parse(receivedAt))}_${id}.${mailbox}`

/** Parses a tail; null for a name that is not one. */
export function parseInboundTail(tail: string): { id: string; mailbox: string } | null {
  const m = /^\d{13}_([^._]+)\.([A-Za-z0-9_-]+)$/.exec(tail)
  return m ? { id: m[1], mailbox: m[2] } : null
}

/**
 * Writes the index entries of a message being stored, concurrently: `all` (with the summary), its mailbox, each
 * From, Sender, To and Cc address (lower-cased), and the id → mailbox lookup.
 * @throws whatever the store throws; then the stored marker must not be written.
 */
export async function indexInboundMessage(store: ObjectStore, doc: InboundMessage): Promise<void> {
  const tail = inboundTail(doc.receivedAt, doc.id, doc.mailbox)
  const summary = inboundSummaryOf(doc)
  const lower = (list: string[]) => new Set(list.map((a) => a.toLowerCase()))
  const prefixes = [
    inboundIndexKeys.mailbox(doc.mailbox),
    ...[...lower([...summary.from, ...(doc.sender ? addresses([doc.sender]) : [])])].map(inboundIndexKeys.from),
    ...[...lower([...summary.to, ...summary.cc])].map(inboundIndexKeys.to),
  ]
  await Promise.all([
    store.put(inboundIndexKeys.entry(inboundIndexKeys.all, tail), JSON.stringify(summary), { contentType: 'application/json' }),
    ...prefixes.map((p) => store.put(inboundIndexKeys.entry(p, tail), '')),
    store.put(inboundIndexKeys.id(doc.id, doc.mailbox), doc.receivedAt),
  ])
}
