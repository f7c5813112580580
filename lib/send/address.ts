import { domainToASCII, domainToUnicode } from 'node:url'

/** A mailbox as Postern relays it: the domain in ASCII (IDNA punycode), the local part as given. */
export interface Mailbox {
  name: string
  address: string
}

export type AddressProblem = { code: 'header_injection' | 'invalid_address' | 'invalid_domain'; message: string }

// RFC 5322 §3.2.3 atext, plus any non-ASCII character, which RFC 6531 (SMTPUTF8) allows in a local part.
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\-\\u0080-\\uffff]+"
const DOT_ATOM = new RegExp(`^${ATOM}(?:\\.${ATOM})*$`, 'u')
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/

// Unicode controls (C0, C1), format characters (Cf: zero-width, bidi marks) and separators: invisible or refused by relays.
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Z}]/u
// `Name <addr>`: a quoted name (RFC 5322 §3.2.4) or plain words without the specials that would make the string a
// list, a group or a quoted string; nothing before, inside or after the angle brackets but one addr-spec.
const NAME_ADDR = /^(?:"((?:[^"\\]|\\.)*)"|([^<>",;:\\]*?))\s*<([^<>\s]*)>$/
const NOT_AN_ADDRESS = { code: 'invalid_address', message: 'must be an address like name@example.com' } as const

export const hasLineBreak = (s: string) => /[\r\n\0]/.test(s)

/** True when the local part needs SMTPUTF8 (RFC 6531 §3.3) to be relayed. */
export const needsSmtpUtf8 = (address: string) => /[^\x00-\x7f]/.test(address.slice(0, address.lastIndexOf('@')))

/**
 * Checks a host name (RFC 1123 §2.1 labels, at least two, a top-level label not all digits) and returns it in ASCII
 * (IDNA punycode), lower-case: `Exämple.COM` -> `xn--exmple-cua.com`.
 */
export function normalizeDomain(domain: string): string | AddressProblem {
  // domainToASCII would decode %XX, turning the domain into another one.
  const ascii = domain.includes('%') ? '' : domainToASCII(domain)
  const labels = ascii.split('.')
  if (!ascii || labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^[0-9]+$/.test(labels.at(-1)!)) {
    return { code: 'invalid_domain', message: `the domain ${JSON.stringify(domain)} is not a valid host name` }
  }
  return ascii
}

/**
 * Checks one addr-spec (RFC 5321 §4.1.2 as used in MAIL FROM/RCPT TO) and returns it with the domain in ASCII.
 * Non-ASCII local parts are accepted and relayed with SMTPUTF8; quoted local parts and address literals are refused.
 */
export function normalizeAddress(raw: string): { address: string; display: string } | AddressProblem {
  if (hasLineBreak(raw)) return { code: 'header_injection', message: 'must not contain CR, LF or NUL' }
  const at = raw.lastIndexOf('@')
  if (at <= 0 || at === raw.length - 1) return NOT_AN_ADDRESS
  const local = raw.slice(0, at)
  const domain = raw.slice(at + 1)
  if (INVISIBLE.test(local)) return { code: 'invalid_address', message: 'the local part has a control, invisible or space character' }
  if (!DOT_ATOM.test(local)) return { code: 'invalid_address', message: 'the local part is not a valid dot-atom (RFC 5322 §3.4.1)' }
  if (Buffer.byteLength(local) > 64) return { code: 'invalid_address', message: 'the local part is longer than 64 octets (RFC 5321 §4.5.3.1.1)' }
  const ascii = normalizeDomain(domain)
  if (typeof ascii !== 'string') return ascii
  const address = `${local}@${ascii}`
  if (Buffer.byteLength(address) > 254) return { code: 'invalid_address', message: 'the address is longer than 254 octets' }
  return { address, display: `${local}@${domainToUnicode(ascii)}` }
}

/**
 * Parses `a@example.com`, `Name <a@example.com>`, `"Name" <a@example.com>` or `{ name, address }` into one Mailbox.
 * Anything else (a list, a group, text around or inside the brackets) is refused, never read as some other mailbox.
 */
export function parseMailbox(input: string | { name?: string; address: string }): Mailbox | AddressProblem {
  let name = ''
  let addr: string
  if (typeof input === 'string') {
    if (hasLineBreak(input)) return { code: 'header_injection', message: 'must not contain CR, LF or NUL' }
    const s = input.trim()
    const m = NAME_ADDR.exec(s)
    if (m) {
      name = m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2].trim()
      addr = m[3]
    } else if (/^[^\s<>"]+$/.test(s)) addr = s
    else return NOT_AN_ADDRESS
  } else {
    name = input.name ?? ''
    addr = input.address
  }
  if (hasLineBreak(name)) return { code: 'header_injection', message: 'the display name must not contain CR, LF or NUL' }
  const n = normalizeAddress(addr.trim())
  return 'code' in n ? n : { name, address: n.address }
}
