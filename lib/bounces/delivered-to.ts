import type { InboundMessage } from '../normalize/inbound-message.js'
import { canonicalAddress, findAddresses, isSystemMailbox } from './addresses.js'

/** Envelope fields that name where a message was delivered (Postfix, qmail, Exim, Sun/Oracle, Yahoo, others). */
const ENVELOPE_FIELDS = ['delivered-to', 'x-original-to', 'original-recipient', 'envelope-to', 'x-envelope-to', 'x-apparently-to', 'x-rcpt-to']

/** The `for <addr>` clause of a Received field (RFC 5321 §4.4): the envelope recipient of that hop. */
const RECEIVED_FOR = /\bfor\s+<?([^\s<>;]+@[^\s<>;]+?)>?(?=[\s;]|$)/gi

const values = (doc: InboundMessage, name: string) => doc.headers.filter((h) => h.name === name).map((h) => h.value)
const unique = (addresses: string[]) => [...new Set(addresses.filter((a) => a.includes('@')).map(canonicalAddress))]

/** The addresses a message names as its recipients: To, Cc, then the envelope fields (Delivered-To, X-Original-To...). Domains lower-cased, each once. */
export function addressedTo(doc: InboundMessage): string[] {
  return unique([
    ...doc.to.map((a) => a.address),
    ...doc.cc.map((a) => a.address),
    ...ENVELOPE_FIELDS.flatMap((name) => values(doc, name).flatMap(findAddresses)),
  ])
}

/**
 * Every address a report was delivered to, from its own header fields, in this order: To, Cc, Delivered-To,
 * X-Original-To, Original-Recipient, Envelope-To, X-Envelope-To, X-Apparently-To, X-Rcpt-To, the `for` clauses of
 * Received, and last, for a bounce (`bounce` true), its Return-Path unless empty or a mailer daemon's or
 * postmaster's: a bounce must be sent with a null reverse-path (RFC 5321 §4.5.5), so an address
 * there is an MTA echoing the original MAIL FROM, ours. (A complaint's Return-Path is its reporter's.) Domains
 * lower-cased, each address once.
 */
export function deliveredTo(doc: InboundMessage, bounce: boolean): string[] {
  const received = values(doc, 'received').flatMap((v) => [...v.matchAll(RECEIVED_FOR)].flatMap((m) => findAddresses(m[1])))
  const returnPath = (bounce ? values(doc, 'return-path') : []).flatMap(findAddresses).filter((a) => !isSystemMailbox(a))
  return unique([...addressedTo(doc), ...received, ...returnPath])
}
