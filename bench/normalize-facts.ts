/**
 * The hand-checked MANIFEST facts (test/normalize/corpus-facts.ts) counted one by one, for any parser whose output
 * can be shaped like the inbound document. Used by bench/normalize.ts to compare Postern with raw simpleParser and
 * raw postal-mime on the same facts.
 *
 * A fact is one key of an entry's facts (`subject`, `from`, `attachments`...). Only the keys every parser can
 * express are compared (COMPARABLE); the rest (dsn, autoReply, textSource, bodyParts, summaries of enclosed
 * messages, facts about the raw file) exist only in Postern's document and are counted for Postern alone.
 */
import type { ParsedMail, AddressObject, EmailAddress } from 'mailparser'
import type { Email, Address as PostalAddress } from 'postal-mime'
import type { Address, InboundMessage } from '../lib/normalize/inbound-message.js'
import { checkCorpusFacts, type AttachmentFact, type CorpusEntry, type CorpusFacts } from '../test/normalize/corpus-facts.js'

export const COMPARABLE = new Set<keyof CorpusFacts>([
  'subject',
  'subjectStartsWith',
  'from',
  'to',
  'messageId',
  'inReplyTo',
  'date',
  'dateHeader',
  'text',
  'textStartsWith',
  'textIncludes',
  'html',
  'htmlIncludes',
  'attachments',
  'headers',
])

/** Attachment facts that need Postern's own summary or a second Postern parse of the enclosed message. */
const POSTERN_ONLY_ATTACHMENT_KEYS: Array<keyof AttachmentFact> = ['message', 'innerTextStartsWith', 'innerAttachmentTypes']

/** What a parser gave for one file, shaped like the document, plus each attachment's bytes by id. */
export interface Shaped {
  doc: InboundMessage
  content: Map<string, Buffer>
}

const EMPTY: Omit<InboundMessage, 'subject' | 'from' | 'to' | 'messageId' | 'inReplyTo' | 'date' | 'dateHeader' | 'text' | 'html' | 'headers' | 'attachments'> =
  {
    schemaVersion: 1,
    id: 'x',
    mailbox: 'x',
    receivedAt: '',
    size: 0,
    sha256: '',
    references: [],
    threadId: 'x',
    sender: null,
    replyTo: [],
    cc: [],
    bcc: [],
    textSource: null,
    textReply: null,
    bodyParts: [],
    autoReply: false,
    autoReplyReasons: [],
    report: null,
    dsn: null,
    warnings: [],
    parseError: null,
  }

/** A raw header line `Name: value` (folded) as the document's `{ name, value }`: unfolded, trimmed. */
const headerField = (key: string, line: string) => ({
  name: key.toLowerCase(),
  value: line
    .slice(line.indexOf(':') + 1)
    .replace(/\r?\n(?=[ \t])/g, '')
    .trim(),
})

function mailparserAddresses(list: AddressObject | AddressObject[] | undefined): Address[] {
  const out: Address[] = []
  const add = (a: EmailAddress, group: string | null) => {
    if (a.group) for (const m of a.group) add(m, a.name)
    else if (a.address) out.push({ name: a.name, address: a.address, group })
  }
  for (const o of list === undefined ? [] : Array.isArray(list) ? list : [list]) for (const a of o.value) add(a, null)
  return out
}

/** simpleParser's result shaped like the document (its own fields, nothing added). */
export function fromMailparser(m: ParsedMail): Shaped {
  const content = new Map<string, Buffer>()
  const dateLine = m.headerLines.find((l) => l.key === 'date')
  return {
    doc: {
      ...EMPTY,
      subject: m.subject ?? null,
      from: mailparserAddresses(m.from),
      to: mailparserAddresses(m.to),
      messageId: m.messageId ?? null,
      inReplyTo: m.inReplyTo ?? null,
      date: m.date ? m.date.toISOString() : null,
      dateHeader: dateLine ? headerField('date', dateLine.line).value : null,
      text: m.text ?? null,
      html: m.html || null,
      headers: m.headerLines.map((l) => headerField(l.key, l.line)),
      attachments: m.attachments.map((a, i) => {
        content.set(`att-${i + 1}`, a.content)
        return {
          id: `att-${i + 1}`,
          filename: a.filename ?? null,
          safeFilename: '',
          contentType: a.contentType,
          size: a.size,
          sha256: '',
          contentId: a.cid ?? null,
          disposition: a.contentDisposition === 'inline' ? 'inline' : a.contentDisposition ? 'attachment' : null,
          key: '',
          message: null,
        }
      }),
    },
    content,
  }
}

function postalAddresses(list: PostalAddress | PostalAddress[] | undefined): Address[] {
  const out: Address[] = []
  for (const a of list === undefined ? [] : Array.isArray(list) ? list : [list]) {
    if (a.group) for (const m of a.group) out.push({ name: m.name, address: m.address, group: a.name })
    else if (a.address) out.push({ name: a.name, address: a.address, group: null })
  }
  return out
}

/** postal-mime's result shaped like the document (its own fields, nothing added). */
export function fromPostalMime(e: Email): Shaped {
  const content = new Map<string, Buffer>()
  const dateLine = e.headerLines.find((l) => l.key === 'date')
  const date = e.date && !Number.isNaN(Date.parse(e.date)) ? new Date(e.date).toISOString() : null
  return {
    doc: {
      ...EMPTY,
      subject: e.subject ?? null,
      from: postalAddresses(e.from),
      to: postalAddresses(e.to),
      messageId: e.messageId ?? null,
      inReplyTo: e.inReplyTo ?? null,
      date,
      dateHeader: dateLine ? headerField('date', dateLine.line).value : null,
      text: e.text ?? null,
      html: e.html ?? null,
      headers: e.headerLines.map((l) => headerField(l.key, l.line)),
      attachments: e.attachments.map((a, i) => {
        const bytes = typeof a.content === 'string' ? Buffer.from(a.content) : Buffer.from(a.content as ArrayBuffer)
        content.set(`att-${i + 1}`, bytes)
        return {
          id: `att-${i + 1}`,
          filename: a.filename,
          safeFilename: '',
          contentType: a.mimeType,
          size: bytes.length,
          sha256: '',
          contentId: a.contentId?.replace(/^<|>$/g, '') ?? null,
          disposition: a.disposition === 'inline' ? 'inline' : a.disposition ? 'attachment' : null,
          key: '',
          message: null,
        }
      }),
    },
    content,
  }
}

/** One entry's facts split into single-key entries; with `comparableOnly`, only the keys every parser has. */
export function singleFacts(entry: CorpusEntry, comparableOnly: boolean): CorpusEntry[] {
  const out: CorpusEntry[] = []
  for (const [key, value] of Object.entries(entry.facts) as Array<[keyof CorpusFacts, unknown]>) {
    if (comparableOnly && !COMPARABLE.has(key)) continue
    let v = value
    if (key === 'attachments' && comparableOnly)
      v = (value as AttachmentFact[]).map((a) =>
        Object.fromEntries(Object.entries(a).filter(([k]) => !POSTERN_ONLY_ATTACHMENT_KEYS.includes(k as keyof AttachmentFact))),
      )
    out.push({ ...entry, facts: { [key]: v } })
  }
  return out
}

/** How many of the single facts hold for a shaped result (a fact that could not be checked does not hold). */
export async function countRight(shaped: Shaped, facts: CorpusEntry[], raw: Buffer): Promise<number> {
  let right = 0
  for (const fact of facts) {
    const check = await checkCorpusFacts(shaped.doc, fact, { raw, content: (a) => shaped.content.get(a.id) ?? Buffer.alloc(0) })
    if (!check.mismatches.length && !check.skipped.length) right++
  }
  return right
}
