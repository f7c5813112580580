/**
 * An addr-spec in free text (RFC 5322 §3.4.1, RFC 6531 UTF-8 allowed): a quoted local part or a run of atom
 * characters and dots (reports quote local parts like `neko....nyaan....` that dot-atom forbids), `@`, and a
 * domain of at least two labels or a bracketed address literal.
 */
const ADDRESS = /(?:"[^"\r\n]+"|[\p{L}\p{N}!#$%&'*+/=?^_`{|}~.-]+)@(?:(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+[\p{L}]{2,}|\[[^\]\s]+\])/gu

/** Every addr-spec in a text, in order, as written. */
export const findAddresses = (text: string): string[] => (text.match(ADDRESS) ?? []).map((a) => a.replace(/^\.+/, ''))

/** `<User@Example.COM>` -> `User@example.com`: brackets and outer space off, the domain lower-cased (RFC 5321 §2.4: the local part is the receiver's to interpret). */
export function canonicalAddress(address: string): string {
  const a = address.trim().replace(/^<(.*)>$/, '$1')
  const at = a.lastIndexOf('@')
  return at < 0 ? a : a.slice(0, at) + a.slice(at).toLowerCase()
}

/** The address of a single-address field such as Return-Path or Original-Mail-From (`<a@b>`, `a@b`); null when empty (`<>`). */
export function singleAddress(value: string | null | undefined): string | null {
  if (!value) return null
  const found = findAddresses(value)[0]
  return found ? canonicalAddress(found) : null
}

/** Local parts mail systems send reports from (RFC 5321 §4.5.1 postmaster; MAILER-DAEMON by custom). */
const SYSTEM_LOCAL = /^(?:mailer[-_]?daemon|postmaster|mail[-_]?daemon|mdaemon|mail[-_]?delivery(?:[-_]?system)?)$/i

/** Whether an address (or a bare local part such as `MAILER-DAEMON`) is a mail system's own mailbox. */
export const isSystemMailbox = (address: string): boolean => SYSTEM_LOCAL.test(address.includes('@') ? address.slice(0, address.lastIndexOf('@')) : address)
