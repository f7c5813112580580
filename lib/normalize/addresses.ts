import addressparser from 'nodemailer/lib/addressparser'
import type { Address } from './inbound-message.js'
import { decodeEncodedWords, tightenEncodedWords } from './encoded-words.js'

/** A bare word with no `@` and no space, such as `MAILER-DAEMON`: an address without a domain, not a name. */
const LOCAL_ONLY = /^[^\s@<>()",;:]+$/

/**
 * Parses an address-list header (RFC 5322 §3.4) given as text whose raw bytes are already decoded but whose
 * encoded-words are not. The list is split first and display names are decoded after, so an encoded comma in a
 * name does not split it. Group members are listed with the group's name; an empty group adds nothing. A
 * comment or phrase without an address is dropped, except a single bare word (`MAILER-DAEMON`), which is the
 * address. Never throws.
 */
export function parseAddressList(text: string): Address[] {
  let parsed: addressparser.AddressOrGroup[]
  try {
    parsed = addressparser(tightenEncodedWords(text))
  } catch {
    return []
  }
  const out: Address[] = []
  const add = (a: addressparser.Address, group: string | null) => {
    const name = decodeEncodedWords(a.name ?? '').trim()
    const address = decodeEncodedWords(a.address ?? '').trim()
    if (address) out.push({ name, address, group })
    else if (LOCAL_ONLY.test(name) && !text.includes(`(${a.name})`) && !/^=\?/.test(a.name ?? '')) out.push({ name: '', address: name, group })
  }
  for (const item of parsed) {
    if ('group' in item && Array.isArray(item.group)) {
      const group = decodeEncodedWords(item.name ?? '').trim()
      for (const member of item.group) if (!('group' in member)) add(member as addressparser.Address, group)
    } else add(item as addressparser.Address, null)
  }
  return out
}
