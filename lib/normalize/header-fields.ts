import { parseAddressList } from './addresses.js'
import { decodeHeaderBytes } from './charsets.js'
import { parseDate } from './dates.js'
import { decodeEncodedWords } from './encoded-words.js'
import type { Address, EmbeddedMessage, HeaderField } from './inbound-message.js'
import { parseMessageIds } from './message-ids.js'
import { readHeaderBlock, type RawHeader } from './raw-headers.js'

/** The header fields of a message, decoded for reading, plus the lookups the document needs. */
export class HeaderFields {
  readonly fields: HeaderField[]
  private readonly raw: RawHeader[]
  private readonly texts: string[]
  /**
   * Raw bytes are decoded first (UTF-8, else `fallbackCharset`, else windows-1252), encoded-words after;
   * `onUnknownCharset` hears each encoded-word charset label that is not known.
   */
  constructor(raw: RawHeader[], fallbackCharset: string | null, onUnknownCharset: (label: string) => void) {
    this.raw = raw
    this.texts = raw.map((f) => decodeHeaderBytes(f.value, fallbackCharset))
    this.fields = raw.map((f, i) => ({ name: f.name, value: decodeEncodedWords(this.texts[i], onUnknownCharset) }))
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
  addresses(name: string): Address[] {
    const text = this.firstText(name)
    return text === null ? [] : parseAddressList(text)
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
