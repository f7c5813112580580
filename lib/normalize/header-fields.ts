import { parseAddressList } from './addresses.js'
import { decodeHeaderBytes } from './charsets.js'
import { parseDate } from './dates.js'
import { decodeEncodedWords } from './encoded-words.js'
import type { Address, EmbeddedMessage, HeaderField } from './inbound-message.js'
import { parseMessageIds } from './message-ids.js'
import { readHeaderBlock, type RawHeader } from './raw-headers.js'

/**
 * Longest address header parsed, in characters (about 55,000 addresses): address parsing is synchronous and takes
 * about 0.12 s a MB here. The field itself is kept whole in `headers`.
 */
export const MAX_ADDRESS_HEADER_CHARS = 2 * 1024 * 1024

/** The header fields of a message, decoded for reading, plus the lookups the document needs. */
export class HeaderFields {
  readonly fields: HeaderField[]
  private readonly raw: RawHeader[]
  private readonly texts: string[]
  private readonly warn: (code: string, detail: string) => void
  /**
   * Raw bytes are decoded first (UTF-8, else `fallbackCharset`, else windows-1252), encoded-words after. `warn`
   * hears each encoded-word charset label that is not known (`charset-unknown`) and each address header parsed
   * only in part (`addresses-truncated`).
   */
  constructor(raw: RawHeader[], fallbackCharset: string | null, warn: (code: string, detail: string) => void) {
    this.raw = raw
    this.warn = warn
    this.texts = raw.map((f) => decodeHeaderBytes(f.value, fallbackCharset))
    this.fields = raw.map((f, i) => ({ name: f.name, value: decodeEncodedWords(this.texts[i], (label) => warn('charset-unknown', label)) }))
  }
  /** Decoded value of the first field with this name, or null. */
  first(name: string): string | null {
    return this.fields.find((f) => f.name === name)?.value ?? null
  }
  /** Raw-decoded text (encoded-words not decoded) of the first field with this name, or null. */
  firstText(name: string): string | null {
    const i = this.raw.findIndex((f) => f.name === name)
    return i < 0 ? null : this.texts[i]
  }
  count(name: string): number {
    return this.raw.filter((f) => f.name === name).length
  }
  /** The first field's addresses; of a field over MAX_ADDRESS_HEADER_CHARS, those before the last comma within it. */
  addresses(name: string): Address[] {
    const text = this.firstText(name)
    if (text === null) return []
    if (text.length <= MAX_ADDRESS_HEADER_CHARS) return parseAddressList(text)
    const cut = text.lastIndexOf(',', MAX_ADDRESS_HEADER_CHARS)
    this.warn('addresses-truncated', `${name}: the first ${cut < 0 ? 0 : cut} of ${text.length} characters parsed`)
    return cut < 0 ? [] : parseAddressList(text.slice(0, cut))
  }
  messageIds(name: string): string[] {
    const text = this.firstText(name)
    return text === null ? [] : parseMessageIds(text)
  }
}

/** Subject, From, Message-ID and Date of an enclosed message (message/rfc822), from its header block alone. */
export function summarizeEmbedded(content: Buffer): EmbeddedMessage {
  const h = new HeaderFields(readHeaderBlock(content).fields, null, () => {})
  const date = h.first('date')
  return { subject: h.first('subject'), from: h.addresses('from'), messageId: h.messageIds('message-id')[0] ?? null, date: date ? parseDate(date) : null }
}
