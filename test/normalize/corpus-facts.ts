import { normalizeMessage } from '../../lib/normalize/normalize.js'
import type { Attachment, DsnRecipient, InboundMessage } from '../../lib/normalize/inbound-message.js'

/**
 * The hand-checked facts of every file in shared/corpus/MANIFEST.tsv (column expected_facts_verified_by_hand),
 * as exact expectations on the normalized document. Used by test/normalize/corpus.test.ts (normalizeMessage on
 * the file) and by the inbound end-to-end tests (the same files appended to Dovecot, polled, stored): both call
 * `checkCorpusFacts` on the stored JSON.
 *
 * Facts that need bytes outside the document (the raw message, an attachment's content, the text of an enclosed
 * message) are checked only when `io` supplies them; otherwise they are listed in `skipped`.
 */

export interface AddressFact {
  address: string
  /** Checked only when given. */
  name?: string
}

export interface AttachmentFact {
  filename?: string | null
  contentType?: string
  contentId?: string | null
  disposition?: 'attachment' | 'inline' | null
  size?: number
  /** Summary of an enclosed message (`attachments[].message`). */
  message?: { subject?: string | null; messageId?: string | null }
  /** Needs io.content: the decoded content starts with these bytes (one byte per character, latin1). */
  contentStartsWith?: string
  /** Needs io.content: the enclosed message, normalized, has a text starting so. */
  innerTextStartsWith?: string
  /** Needs io.content: content types of the enclosed message's own attachments, in order. */
  innerAttachmentTypes?: string[]
}

export interface CorpusFacts {
  subject?: string | null
  subjectStartsWith?: string
  /** Exact list, in order. */
  from?: AddressFact[]
  to?: AddressFact[]
  messageId?: string | null
  inReplyTo?: string | null
  date?: string | null
  dateHeader?: string | null
  text?: string | null
  textStartsWith?: string
  textIncludes?: string[]
  textSource?: 'plain' | 'html' | null
  html?: string | null
  htmlIncludes?: string[]
  /** Exact count and, per position, the given fields. */
  attachments?: AttachmentFact[]
  bodyParts?: Array<{ contentType: string; params?: Record<string, string> }>
  /** Every value of these header fields, in order. */
  headers?: Record<string, string[]>
  dsn?: { recipients: Array<Partial<Omit<DsnRecipient, 'fields'>> & { fields?: Record<string, string> }> } | null
  autoReply?: boolean
  /** Needs io.raw. */
  rawStartsWith?: string
  /** Needs io.raw: how often each string occurs in the raw bytes. */
  rawCounts?: Record<string, number>
  /** Needs io.content: filenames found at any depth, through enclosed messages. */
  filenamesInTree?: string[]
}

export interface CorpusEntry {
  file: string
  /** The MANIFEST text these facts encode, verbatim. */
  verifiedByHand: string
  facts: CorpusFacts
}

export interface CorpusIo {
  raw?: Buffer
  content?: (attachment: Attachment) => Buffer | Promise<Buffer>
}

export interface CorpusCheck {
  mismatches: string[]
  /** Facts not checked for want of `io`. */
  skipped: string[]
}

const json = (v: unknown) => JSON.stringify(v)
const innerCtx = { id: 'inner', mailbox: 'corpus', receivedAt: '1970-01-01T00:00:00.000Z', attachmentKey: (a: string, n: string) => `${a}/${n}` }

async function treeFilenames(doc: InboundMessage, content: (a: Attachment) => Buffer | Promise<Buffer>, depth = 0): Promise<string[]> {
  const names: string[] = []
  for (const a of doc.attachments) {
    if (a.filename) names.push(a.filename)
    if (a.contentType === 'message/rfc822' && depth < 10) {
      const inner = await normalizeMessage(await content(a), innerCtx)
      names.push(...(await treeFilenames(inner.document, (x) => inner.attachments.find((y) => y.id === x.id)!.content, depth + 1)))
    }
  }
  return names
}

/** Compares a normalized document with an entry's facts; never throws for a mismatch. */
export async function checkCorpusFacts(doc: InboundMessage, entry: CorpusEntry, io: CorpusIo = {}): Promise<CorpusCheck> {
  const f = entry.facts
  const mismatches: string[] = []
  const skipped: string[] = []
  const eq = (what: string, actual: unknown, expected: unknown) => {
    if (json(actual) !== json(expected)) mismatches.push(`${what}: expected ${json(expected)}, got ${json(actual)}`)
  }
  const addresses = (what: string, actual: InboundMessage['from'], expected: AddressFact[]) => {
    eq(
      `${what} addresses`,
      actual.map((a) => a.address),
      expected.map((a) => a.address),
    )
    expected.forEach((e, i) => e.name !== undefined && eq(`${what}[${i}].name`, actual[i]?.name, e.name))
  }
  if (f.subject !== undefined) eq('subject', doc.subject, f.subject)
  if (f.subjectStartsWith !== undefined && !doc.subject?.startsWith(f.subjectStartsWith))
    eq('subject start', doc.subject?.slice(0, f.subjectStartsWith.length), f.subjectStartsWith)
  if (f.from) addresses('from', doc.from, f.from)
  if (f.to) addresses('to', doc.to, f.to)
  if (f.messageId !== undefined) eq('messageId', doc.messageId, f.messageId)
  if (f.inReplyTo !== undefined) eq('inReplyTo', doc.inReplyTo, f.inReplyTo)
  if (f.date !== undefined) eq('date', doc.date, f.date)
  if (f.dateHeader !== undefined) eq('dateHeader', doc.dateHeader, f.dateHeader)
  if (f.text !== undefined) eq('text', doc.text, f.text)
  if (f.textStartsWith !== undefined && !doc.text?.startsWith(f.textStartsWith))
    eq('text start', doc.text?.slice(0, f.textStartsWith.length + 20), f.textStartsWith)
  for (const s of f.textIncludes ?? []) if (!doc.text?.includes(s)) mismatches.push(`text does not include ${json(s)}`)
  if (f.textSource !== undefined) eq('textSource', doc.textSource, f.textSource)
  if (f.html !== undefined) eq('html', doc.html, f.html)
  for (const s of f.htmlIncludes ?? []) if (!doc.html?.includes(s)) mismatches.push(`html does not include ${json(s)}`)
  if (f.bodyParts) {
    eq(
      'bodyParts types',
      doc.bodyParts.map((b) => b.contentType),
      f.bodyParts.map((b) => b.contentType),
    )
    f.bodyParts.forEach((b, i) => {
      for (const [k, v] of Object.entries(b.params ?? {})) eq(`bodyParts[${i}].params.${k}`, doc.bodyParts[i]?.params[k], v)
    })
  }
  for (const [name, values] of Object.entries(f.headers ?? {}))
    eq(
      `headers ${name}`,
      doc.headers.filter((h) => h.name === name).map((h) => h.value),
      values,
    )
  if (f.autoReply !== undefined) eq('autoReply', doc.autoReply, f.autoReply)
  if (f.dsn !== undefined) {
    if (f.dsn === null || doc.dsn === null) eq('dsn', doc.dsn === null ? null : 'present', f.dsn === null ? null : 'present')
    else {
      eq('dsn recipients', doc.dsn.recipients.length, f.dsn.recipients.length)
      f.dsn.recipients.forEach((r, i) => {
        for (const [k, v] of Object.entries(r)) {
          if (k === 'fields')
            for (const [fk, fv] of Object.entries(v as Record<string, string>)) eq(`dsn.recipients[${i}].fields.${fk}`, doc.dsn?.recipients[i]?.fields[fk], fv)
          else eq(`dsn.recipients[${i}].${k}`, doc.dsn?.recipients[i]?.[k as keyof DsnRecipient], v)
        }
      })
    }
  }
  if (f.attachments) {
    eq('attachment count', doc.attachments.length, f.attachments.length)
    for (const [i, e] of f.attachments.entries()) {
      const a = doc.attachments[i]
      if (!a) continue
      if (e.filename !== undefined) eq(`attachments[${i}].filename`, a.filename, e.filename)
      if (e.contentType !== undefined) eq(`attachments[${i}].contentType`, a.contentType, e.contentType)
      if (e.contentId !== undefined) eq(`attachments[${i}].contentId`, a.contentId, e.contentId)
      if (e.disposition !== undefined) eq(`attachments[${i}].disposition`, a.disposition, e.disposition)
      if (e.size !== undefined) eq(`attachments[${i}].size`, a.size, e.size)
      for (const [k, v] of Object.entries(e.message ?? {})) eq(`attachments[${i}].message.${k}`, a.message?.[k as 'subject'], v)
      const needsContent = e.contentStartsWith !== undefined || e.innerTextStartsWith !== undefined || e.innerAttachmentTypes !== undefined
      if (!needsContent) continue
      if (!io.content) {
        skipped.push(`attachments[${i}] content facts`)
        continue
      }
      const content = await io.content(a)
      if (e.contentStartsWith !== undefined)
        eq(`attachments[${i}] content start`, content.subarray(0, e.contentStartsWith.length).toString('latin1'), e.contentStartsWith)
      if (e.innerTextStartsWith !== undefined || e.innerAttachmentTypes !== undefined) {
        const inner = (await normalizeMessage(content, innerCtx)).document
        if (e.innerTextStartsWith !== undefined && !inner.text?.startsWith(e.innerTextStartsWith))
          eq(`attachments[${i}] inner text start`, inner.text?.slice(0, e.innerTextStartsWith.length + 20), e.innerTextStartsWith)
        if (e.innerAttachmentTypes !== undefined)
          eq(
            `attachments[${i}] inner attachment types`,
            inner.attachments.map((x) => x.contentType),
            e.innerAttachmentTypes,
          )
      }
    }
  }
  if (f.rawStartsWith !== undefined || f.rawCounts !== undefined) {
    if (!io.raw) skipped.push('raw facts')
    else {
      const raw = io.raw
      if (f.rawStartsWith !== undefined) eq('raw start', raw.subarray(0, Buffer.byteLength(f.rawStartsWith)).toString('utf8'), f.rawStartsWith)
      for (const [s, n] of Object.entries(f.rawCounts ?? {})) eq(`raw count of ${json(s)}`, raw.toString('latin1').split(s).length - 1, n)
    }
  }
  if (f.filenamesInTree) {
    if (!io.content) skipped.push('filenamesInTree')
    else {
      const names = await treeFilenames(doc, io.content)
      for (const n of f.filenamesInTree) if (!names.includes(n)) mismatches.push(`no attachment named ${json(n)} at any depth (found ${json(names)})`)
    }
  }
  return { mismatches, skipped }
}

const NO_HEADERS = { from: [], subject: null, date: null, messageId: null } satisfies CorpusFacts

export const CORPUS_FACTS: CorpusEntry[] = [
  {
    file: 'mailparser__multipart-mixed-with-nested-alternative.eml',
    verifiedByHand:
      'no From, no Subject, no Date, no Message-ID; 0 attachments; first text/plain starts (after one blank line) "This e-mail message has been scanned for"; second top-level text/plain (utf-8 QP) is "Good Morning;"',
    facts: {
      ...NO_HEADERS,
      attachments: [],
      textStartsWith: '\nThis e-mail message has been scanned for',
      textIncludes: ['\nGood Morning;\n'],
      textSource: 'plain',
    },
  },
  {
    file: 'mailparser__nested-related-alternative-footer.eml',
    verifiedByHand:
      'From u@example.com; no Subject/Date/Message-ID; 0 attachments; first text/plain starts "Dear Sir," then "Good evening."; footer text/plain is "The footer"',
    facts: {
      from: [{ address: 'u@example.com' }],
      subject: null,
      date: null,
      messageId: null,
      attachments: [],
      textStartsWith: '\nDear Sir,\n\nGood evening.',
      textIncludes: ['The footer'],
    },
  },
  {
    file: 'mailparser__dsn-multipart-report-amazonses.eml',
    verifiedByHand:
      'Subject "Delivery Status Notification (Failure)"; From MAILER-DAEMON@amazonses.com; Message-ID <xxxxxxxxxxx@email.amazonses.com>; text starts "An error occurred while trying to deliver"; Status: 5.1.1; Final-Recipient rfc822; xxxx@xxxx.com; embedded message Subject "Example Subject"',
    facts: {
      subject: 'Delivery Status Notification (Failure)',
      from: [{ address: 'MAILER-DAEMON@amazonses.com' }],
      messageId: '<xxxxxxxxxxx@email.amazonses.com>',
      textStartsWith: 'An error occurred while trying to deliver',
      dsn: { recipients: [{ status: '5.1.1', finalRecipient: 'xxxx@xxxx.com', fields: { 'final-recipient': 'rfc822; xxxx@xxxx.com', status: '5.1.1' } }] },
      attachments: [{ contentType: 'message/delivery-status' }, { contentType: 'message/rfc822', message: { subject: 'Example Subject' } }],
    },
  },
  {
    file: 'mailparser__root-part-is-base64-png-attachment.eml',
    verifiedByHand: 'From test@example.com; no Subject; 1 attachment screenshot.png (image/png); text body empty',
    facts: {
      from: [{ address: 'test@example.com' }],
      subject: null,
      attachments: [{ filename: 'screenshot.png', contentType: 'image/png', disposition: 'attachment', contentStartsWith: '\x89PNG\r\n' }],
      text: null,
      html: null,
    },
  },
  {
    file: 'mailparser__empty-message-rfc822-part-latin1-8bit.eml',
    verifiedByHand:
      'Subject "Fwd: fotos"; From booewq@uuui.com (name wwuaof); Date Sun, 9 Sep 2004 03:15:52 -0500 (note: weekday is wrong for that date); no Message-ID; text/plain starts after two blank lines with "Note: forwarded message attached."; html is "<span>html sectionÜ</span>" (0xDC in latin1 = U+00DC)',
    facts: {
      subject: 'Fwd: fotos',
      from: [{ address: 'booewq@uuui.com', name: 'wwuaof' }],
      dateHeader: 'Sun, 9 Sep 2004 03:15:52 -0500',
      date: '2004-09-09T08:15:52.000Z',
      messageId: null,
      textStartsWith: '\n\nNote: forwarded message attached.',
      html: '<span>html section\u00dc</span>\n\n',
      attachments: [{ contentType: 'message/rfc822', size: 0 }],
    },
  },
  {
    file: 'mailparser__spam-sample.eml',
    verifiedByHand:
      'Subject "123.042 Euro pro Jahr GRARANTIERT von einer Bank! KOSTENLOS"; From noreply@guide-des-vins-de-bourgogne.fr (name Matilda Klein); Message-ID present; because the root type is text/html, the fake "----Freundliche Gr&uuml;&szlig;e" lines are body content, not part separators; 0 attachments',
    facts: {
      subject: '123.042 Euro pro Jahr GRARANTIERT von einer Bank! KOSTENLOS',
      from: [{ address: 'noreply@guide-des-vins-de-bourgogne.fr', name: 'Matilda Klein' }],
      messageId: '<MXQAHQMRSTRWAEMHJAPA@guide-des-vins-de-bourgogne.fr>',
      htmlIncludes: ['----Freundliche Gr&uuml;&szlig;e\nContent-Type: text/html;', '\n----Freundliche Gr&uuml;&szlig;e--'],
      textSource: 'html',
      attachments: [],
    },
  },
  {
    file: 'mailparser__minimal-plain-no-msgid-no-mime.eml',
    verifiedByHand:
      'From andris@kreata.ee; To andris.reinman@gmail.com; Subject "test"; Date Sun, 8 Jan 2017 20:37:44 +0200; no Message-ID; text "Hello world!"; 0 attachments',
    facts: {
      from: [{ address: 'andris@kreata.ee' }],
      to: [{ address: 'andris.reinman@gmail.com' }],
      subject: 'test',
      dateHeader: 'Sun, 8 Jan 2017 20:37:44 +0200',
      date: '2017-01-08T18:37:44.000Z',
      messageId: null,
      text: 'Hello world!\n',
      attachments: [],
    },
  },
  {
    file: 'mailparser__nodemailer-generated-kitchen-sink.eml',
    verifiedByHand:
      'Subject "Nodemailer is unicode friendly ✔ (1476358788189)"; From andris@kreata.ee (Andris Kreata); To has 2 addresses; Message-ID <012d606e-3550-2d94-b566-6cd996de88e3@kreata.ee>; text/plain "Hello to myself!"; non-body parts: image.png (Content-ID <note@example.com>), "nyan cat ✔.gif" (Content-ID <nyan@example.com>; name via encoded-word, filename via filename*0*=utf-8\'\'), notes.txt',
    facts: {
      subject: 'Nodemailer is unicode friendly \u2714 (1476358788189)',
      from: [{ address: 'andris@kreata.ee', name: 'Andris Kreata' }],
      to: [{ address: 'andris+123@kreata.ee' }, { address: 'andris.reinman@gmail.com' }],
      messageId: '<012d606e-3550-2d94-b566-6cd996de88e3@kreata.ee>',
      text: 'Hello to myself!',
      bodyParts: [{ contentType: 'text/watch-html' }],
      attachments: [
        { filename: 'image.png', contentType: 'image/png', contentId: 'note@example.com' },
        { filename: 'nyan cat \u2714.gif', contentType: 'image/gif', contentId: 'nyan@example.com' },
        { filename: 'notes.txt', contentType: 'text/plain', contentId: null },
      ],
    },
  },
  {
    file: 'postal-mime__arf-feedback-report.eml',
    verifiedByHand:
      'Subject "FW: Earn money"; From abusedesk@example.com; Date Thu, 8 Mar 2005 17:40:36 EDT; no top-level Message-ID (the reported inner message has "Message-ID: 8787KJKJ3K4J3K4J3K4J3.mail@example.net" without angle brackets); parts text/plain, message/feedback-report, message/rfc822',
    facts: {
      subject: 'FW: Earn money',
      from: [{ address: 'abusedesk@example.com' }],
      dateHeader: 'Thu, 8 Mar 2005 17:40:36 EDT',
      date: '2005-03-08T21:40:36.000Z',
      messageId: null,
      textSource: 'plain',
      attachments: [{ contentType: 'message/feedback-report' }, { contentType: 'message/rfc822', contentStartsWith: 'From: <somespammer@example.net>' }],
      rawCounts: { 'Message-ID: 8787KJKJ3K4J3K4J3K4J3.mail@example.net': 1 },
    },
  },
  {
    file: 'postal-mime__dsn-bounce-fastmail.eml',
    verifiedByHand:
      'Subject "Undelivered Mail Returned to Sender"; From MAILER-DAEMON@messagingengine.com; Final-Recipient rfc822; htfgvhyufthdgcvhgjyfthgc@ethereal.email; Action failed; Status 5.0.0; Diagnostic-Code smtp; 550 No such user here',
    facts: {
      subject: 'Undelivered Mail Returned to Sender',
      from: [{ address: 'MAILER-DAEMON@messagingengine.com' }],
      dsn: {
        recipients: [
          {
            finalRecipient: 'htfgvhyufthdgcvhgjyfthgc@ethereal.email',
            action: 'failed',
            status: '5.0.0',
            diagnosticCode: '550 No such user here',
            fields: { 'final-recipient': 'rfc822; htfgvhyufthdgcvhgjyfthgc@ethereal.email', 'diagnostic-code': 'smtp; 550 No such user here' },
          },
        ],
      },
    },
  },
  {
    file: 'postal-mime__calendar-invite-text-calendar.eml',
    verifiedByHand:
      'Subject "Invitation: Test event ⏰ @ Thu Apr 11, 2024 11am - 12pm (GMT+3) (andris@ethereal.email)"; From andris@postalsys.com; Message-ID <calendar-7791cb16-a4f3-43ae-a9a0-ed4003535ae7@google.com>; text/plain (base64) starts "Test event ⏰"; 1 attachment invite.ics (application/ics); text/calendar part method=REQUEST',
    facts: {
      subject: 'Invitation: Test event \u23f0 @ Thu Apr 11, 2024 11am - 12pm (GMT+3) (andris@ethereal.email)',
      from: [{ address: 'andris@postalsys.com' }],
      messageId: '<calendar-7791cb16-a4f3-43ae-a9a0-ed4003535ae7@google.com>',
      textStartsWith: 'Test event \u23f0',
      attachments: [{ filename: 'invite.ics', contentType: 'application/ics' }],
      bodyParts: [{ contentType: 'text/calendar', params: { method: 'REQUEST' } }],
    },
  },
  {
    file: 'postal-mime__mime-torture-finnie.eml',
    verifiedByHand:
      'Subject "Ryan Finnie\'s MIME Torture Test v1.0"; From rfinnie@domain.dom; Date "23 Oct 2003 23:28:34 -0700" (no weekday); 11 "Content-Type: message/rfc822" lines; filenames seen include foo.gz, blah.gz, blah1.gz, htmlfile.html, smiley-3.png, dot.gif, signature.asc',
    facts: {
      subject: "Ryan Finnie's MIME Torture Test v1.0",
      from: [{ address: 'rfinnie@domain.dom' }],
      dateHeader: '23 Oct 2003 23:28:34 -0700',
      date: '2003-10-24T06:28:34.000Z',
      rawCounts: { 'Content-Type: message/rfc822': 11 },
      filenamesInTree: ['foo.gz', 'blah.gz', 'blah1.gz', 'htmlfile.html', 'smiley-3.png', 'dot.gif', 'signature.asc'],
    },
  },
  {
    file: 'php-mime-mail-parser__subject-iso-2022-jp-encoded-word.eml',
    verifiedByHand:
      'Subject bytes decode to "ЖД№41 от 28.09.2016" only if JIS 0x2D62 is mapped to № (NEC row 13); strict iso-2022-jp decoders fail at that char; text/plain body "toto"; no From header; 0 attachments',
    facts: { subject: '\u0416\u0414\u211641 \u043e\u0442 28.09.2016', text: 'toto\n\n', from: [], attachments: [] },
  },
  {
    file: 'php-mime-mail-parser__filename-contains-slash.eml',
    verifiedByHand:
      'Subject "Mail avec fichier attaché de 1ko"; From name@company.com; 1 attachment, Content-Disposition filename "attach/01" (Content-Type name attach01); text/plain part is blank lines only',
    facts: {
      subject: 'Mail avec fichier attach\u00e9 de 1ko',
      from: [{ address: 'name@company.com' }],
      attachments: [{ filename: 'attach/01' }],
      text: '\n',
      textSource: 'plain',
    },
  },
  {
    file: 'php-mime-mail-parser__subject-iso-8859-8-i.eml',
    verifiedByHand: 'Subject "מענה \'אני לא נמצא\': Invoice 02722027" (decode iso-8859-8-i as iso-8859-8); From name@company.com; 1 attachment attach01',
    facts: {
      subject: "\u05de\u05e2\u05e0\u05d4 '\u05d0\u05e0\u05d9 \u05dc\u05d0 \u05e0\u05de\u05e6\u05d0': Invoice 02722027",
      from: [{ address: 'name@company.com' }],
      attachments: [{ filename: 'attach01' }],
    },
  },
  {
    file: 'php-mime-mail-parser__content-disposition-star-type.eml',
    verifiedByHand:
      'Subject "Mail avec fichier attaché de 3ko"; From name@company.com; 1 attachment attach02 (application/octet-stream, base64 text starting "Lorem ipsum dolor sit amet")',
    facts: {
      subject: 'Mail avec fichier attach\u00e9 de 3ko',
      from: [{ address: 'name@company.com' }],
      attachments: [
        { filename: 'attach02', contentType: 'application/octet-stream', disposition: 'attachment', contentStartsWith: 'Lorem ipsum dolor sit amet' },
      ],
    },
  },
  {
    file: 'php-mime-mail-parser__subject-windows-1250-invalid-byte.eml',
    verifiedByHand:
      'Subject "Automatyczna odpowiedź: Piotrze, test z 6 miesięcy nauki ciągle na Ciebie czeka" (=9F is ź in windows-1250; the space between the two encoded-words must be dropped, giving "nauki"); no From header',
    facts: { subject: 'Automatyczna odpowied\u017a: Piotrze, test z 6 miesi\u0119cy nauki ci\u0105gle na Ciebie czeka', from: [] },
  },
  {
    file: 'php-mime-mail-parser__body-x-mac-cyrillic-qp.eml',
    verifiedByHand:
      'Subject "Scientific conferences, Bulgaria 2019"; From science@news-s.info (display name contains a comma, quoted); text/plain starts "ACADEMIC NEWSLETTER #11 | March 2019"; 0 attachments',
    facts: {
      subject: 'Scientific conferences, Bulgaria 2019',
      from: [{ address: 'science@news-s.info', name: 'Science and Education Foundation, Bulgaria' }],
      textStartsWith: 'ACADEMIC NEWSLETTER #11 | March 2019',
      attachments: [],
    },
  },
  {
    file: 'php-mime-mail-parser__encoded-word-inside-quoted-filename.eml',
    verifiedByHand:
      'no From; Subject "1234 / 1234"; 1 attachment; filename decodes to "Kontoutskrift for 1506.14.90466\\nBedriftskonto.pdf" (contains an LF; must be sanitised before use as S3 key)',
    facts: {
      from: [],
      subject: '1234 / 1234',
      attachments: [{ filename: 'Kontoutskrift for 1506.14.90466\nBedriftskonto.pdf', contentType: 'image/png' }],
    },
  },
  {
    file: 'php-mime-mail-parser__forwarded-message-rfc822.eml',
    verifiedByHand:
      'Subject "Fwd: Test 5"; From example@example.com; In-Reply-To present; inner message Subject "Test 5", inner text starts "An original PLAIN TEXT message body"',
    facts: {
      subject: 'Fwd: Test 5',
      from: [{ address: 'example@example.com' }],
      inReplyTo: '<649983063.377570.1488812041831.JavaMail.zimbra@zedcore.com>',
      attachments: [{ contentType: 'message/rfc822', message: { subject: 'Test 5' }, innerTextStartsWith: 'An original PLAIN TEXT message body' }],
    },
  },
  {
    file: 'php-mime-mail-parser__empty-filename-parameter.eml',
    verifiedByHand:
      'Subject "50032266 CAR 11_MNPA00A01_9PTX_H00 ATT N° 1467829. pdf"; From firstname.name@groupe-company.com; 1 attachment application/pdf whose filename decodes to "50032266 CAR 11_MNPA00A01_9PTX_H00 ATT N° 1467829.pdf"; one line is 991 chars long',
    facts: {
      subject: '50032266 CAR 11_MNPA00A01_9PTX_H00 ATT N\u00b0 1467829. pdf',
      from: [{ address: 'firstname.name@groupe-company.com' }],
      attachments: [{ contentType: 'application/pdf', filename: '50032266 CAR 11_MNPA00A01_9PTX_H00 ATT N\u00b0 1467829.pdf' }],
    },
  },
  {
    file: 'php-mime-mail-parser__netscape-encoded-word-filename.eml',
    verifiedByHand:
      'Subject "Test message from Netscape Communicator 4.7"; From dwsauder@example.com; attachment filename "HasenundFrösche.txt"; first body text (QP latin1) starts "Die Hasen und die Frösche"',
    facts: {
      subject: 'Test message from Netscape Communicator 4.7',
      from: [{ address: 'dwsauder@example.com' }],
      textStartsWith: 'Die Hasen und die Fr\u00f6sche',
      attachments: [{ filename: 'HasenundFr\u00f6sche.txt' }],
    },
  },
  {
    file: 'php-mime-mail-parser__duplicate-from-headers.eml',
    verifiedByHand:
      'Subject "Test message with multiple From headers"; From dwsauder@example.com (appears twice); attachment "HasenundFrösche.txt"; body starts "Die Hasen und die Frösche"',
    facts: {
      subject: 'Test message with multiple From headers',
      from: [{ address: 'dwsauder@example.com' }],
      headers: { from: ['Doug Sauder <dwsauder@example.com>', 'Doug Sauder <dwsauder@example.com>'] },
      textStartsWith: 'Die Hasen und die Fr\u00f6sche',
      attachments: [{ filename: 'HasenundFr\u00f6sche.txt' }],
    },
  },
  {
    file: 'php-mime-mail-parser__ks_c_5601-attachment-name.eml',
    verifiedByHand: 'Subject "[Korea] Name"; From name@company.com; image/jpeg filename "사진.JPG"; second attachment ATT00001.txt',
    facts: {
      subject: '[Korea] Name',
      from: [{ address: 'name@company.com' }],
      attachments: [{ contentType: 'image/jpeg', filename: '\uc0ac\uc9c4.JPG' }, { filename: 'ATT00001.txt' }],
    },
  },
  {
    file: 'php-mime-mail-parser__subject-mixed-plain-and-encoded-word.eml',
    verifiedByHand: 'Subject "[PRJ-OTH] asdf  árvíztűrő tükörfúrógép" (two spaces before encoded-word are preserved); From sender@test.com, name "sendeär"',
    facts: {
      subject: '[PRJ-OTH] asdf  \u00e1rv\u00edzt\u0171r\u0151 t\u00fck\u00f6rf\u00far\u00f3g\u00e9p',
      from: [{ address: 'sender@test.com', name: 'sende\u00e4r' }],
    },
  },
  {
    file: 'php-mime-mail-parser__path-traversal-filename.eml',
    verifiedByHand: 'no From; Subject "1234 / 1234"; 1 attachment, name "1234/../../1234.txt" -> storage key must not escape prefix',
    facts: { from: [], subject: '1234 / 1234', attachments: [{ filename: '1234/../../1234.txt' }] },
  },
  {
    file: 'php-mime-mail-parser__ten-attachments-plain-body.eml',
    verifiedByHand:
      'Subject "Email with 10 attachments and only plain text content part"; From test@test.com; 10 attachments (UUID-named .txt, first 789AA8B6-3C8F-4E16-9E55-3CD173C3AE3A.txt); text starts "This is the plain text content of the email"',
    facts: {
      subject: 'Email with 10 attachments and only plain text content part',
      from: [{ address: 'test@test.com' }],
      textStartsWith: 'This is the plain text content of the email',
      attachments: [{ filename: '789AA8B6-3C8F-4E16-9E55-3CD173C3AE3A.txt' }, ...Array.from({ length: 9 }, () => ({}))],
    },
  },
  {
    file: 'php-mime-mail-parser__inline-cid-image-related.eml',
    verifiedByHand:
      'Subject "Testing MIME E-mail composing with cid"; From name@company.com; parts: logo.jpg (inline, declared image/gif), background.jpg, attachment.txt; Content-IDs <ae0357e57f04b8347f7621662cb63855.jpg> and <4c837ed463ad29c820668e835a270e8a.jpg>',
    facts: {
      subject: 'Testing MIME E-mail composing with cid',
      from: [{ address: 'name@company.com' }],
      attachments: [
        { filename: 'logo.jpg', disposition: 'inline', contentType: 'image/gif', contentId: 'ae0357e57f04b8347f7621662cb63855.jpg' },
        { filename: 'background.jpg', contentId: '4c837ed463ad29c820668e835a270e8a.jpg' },
        { filename: 'attachment.txt' },
      ],
    },
  },
  {
    file: 'php-mime-mail-parser__truncated-report-gb2312.eml',
    verifiedByHand:
      'From foo@bar.de; no Subject; text decodes (as GBK/GB18030) to "次の受信者またはグループへの配信に失敗しました:"; a strict GB2312 decoder produces replacement chars; no closing boundary lines',
    facts: {
      from: [{ address: 'foo@bar.de' }],
      subject: null,
      textStartsWith:
        '\u6b21\u306e\u53d7\u4fe1\u8005\u307e\u305f\u306f\u30b0\u30eb\u30fc\u30d7\u3078\u306e\u914d\u4fe1\u306b\u5931\u6557\u3057\u307e\u3057\u305f:',
      rawCounts: { '2bd35790-9057-4632-abe3-a437bbc1e047--': 0, '7d6f9b31-044c-445f-9b52-1908a16f0ac9--': 0 },
    },
  },
  {
    file: 'php-mime-mail-parser__duplicate-cte-header-spam.eml',
    verifiedByHand:
      'Subject "It\'s Maria,"; From gtssr942@ybb.ne.jp (name Maria); Message-ID <C1743E46A1D8FE1A598650053D82D94F@razenigo>; two Content-Type headers at root (first is text/plain, second multipart/mixed) - parsers disagree which wins; text starts "Hey;)"',
    facts: {
      subject: "It's Maria,",
      from: [{ address: 'gtssr942@ybb.ne.jp', name: 'Maria' }],
      messageId: '<C1743E46A1D8FE1A598650053D82D94F@razenigo>',
      headers: {
        'content-type': [
          'text/plain;\tformat=flowed;\tcharset="utf-8";\treply-type=original',
          'multipart/mixed;    boundary="_003_7B2F0B047286488B990BD2EE3759554Dcompanykoreacokr_"',
        ],
      },
      textStartsWith: 'Hey;)',
    },
  },
  {
    file: 'mimekit__iso-2022-jp-subject-and-body.eml',
    verifiedByHand:
      'Subject "日本語メールテスト (testing Japanese emails)"; From x@x.com (Atsushi Eno); text starts "Let\'s see if both subject and body works fine..." then "日本語が"',
    facts: {
      subject: '\u65e5\u672c\u8a9e\u30e1\u30fc\u30eb\u30c6\u30b9\u30c8 (testing Japanese emails)',
      from: [{ address: 'x@x.com', name: 'Atsushi Eno' }],
      textStartsWith: "Let's see if both subject and body works fine...\n\n\u65e5\u672c\u8a9e\u304c",
    },
  },
  {
    file: 'mimekit__content-type-missing-subtype.eml',
    verifiedByHand: 'Subject "Test of an invalid mime-type"; From someone@somewhere.com; body "blah blah blah"; name="document.xml.gz"; no Message-ID',
    facts: {
      subject: 'Test of an invalid mime-type',
      from: [{ address: 'someone@somewhere.com' }],
      text: 'blah blah blah\n',
      headers: { 'content-type': ['application-x-gzip; name="document.xml.gz"'] },
      messageId: null,
      attachments: [],
    },
  },
  {
    file: 'mimekit__empty-multipart-alternative.eml',
    verifiedByHand:
      'Subject "test of empty multipart/alternative"; From mimekit@example.com; only text is "This part should be on the same level as the multipart/alternative and not a child."; 0 attachments',
    facts: {
      subject: 'test of empty multipart/alternative',
      from: [{ address: 'mimekit@example.com' }],
      text: 'This part should be on the same level as the multipart/alternative and not a child.\n',
      html: null,
      attachments: [],
    },
  },
  {
    file: 'mimekit__multipart-epilogue-postscript.eml',
    verifiedByHand:
      'Subject "Re: The Once and Future OS"; From pcu@umich.edu; 2-digit year 95 must map to 1995; text starts "> NeXTSTEP, NeXTSTEP, NeXTSTEP..."; 1 application/postscript part',
    facts: {
      subject: 'Re: The Once and Future OS',
      from: [{ address: 'pcu@umich.edu' }],
      dateHeader: 'Sun, 7 May 95 16:21:03 GMT',
      date: '1995-05-07T16:21:03.000Z',
      textStartsWith: '> NeXTSTEP, NeXTSTEP, NeXTSTEP...',
      attachments: [{ contentType: 'application/postscript' }],
    },
  },
  {
    file: 'mimekit__multipart-digest-in-rfc822.eml',
    verifiedByHand: 'outer From user@domain.org, no outer Subject; inner Subject "submsg"; digest contains message/rfc822 parts',
    facts: {
      from: [{ address: 'user@domain.org' }],
      subject: null,
      attachments: [{ contentType: 'message/rfc822', message: { subject: 'submsg' }, innerAttachmentTypes: ['message/rfc822', 'message/rfc822'] }],
    },
  },
  {
    file: 'mimekit__mhtml-related-no-headers.eml',
    verifiedByHand: 'no From, no Subject; parts image/png then text/html; 0 text/plain parts',
    facts: {
      from: [],
      subject: null,
      attachments: [{ contentType: 'image/png' }],
      htmlIncludes: ['<html'],
      textSource: 'html',
    },
  },
  {
    file: 'mimekit__imap-part-specifier-structure.eml',
    verifiedByHand:
      'Subject "Sample message structure for IMAP part specifiers"; From me@myself.com; first text "This part specifier should be: 1"; boundary is the single character "x"',
    facts: {
      subject: 'Sample message structure for IMAP part specifiers',
      from: [{ address: 'me@myself.com' }],
      textStartsWith: 'This part specifier should be: 1',
      headers: { 'content-type': ['MULTIPART/MIXED; boundary="x"'] },
    },
  },
  {
    file: 'mimekit__dsn-no-blank-line.eml',
    verifiedByHand:
      'Subject "email delivery error"; From postmaster@mm1.sprynet.com; To is empty group; Action failed; Diagnostic-Code X-LOCAL; 500 (err.nosuchuser); Final-Recipient newsletter-request@imusic.com',
    facts: {
      subject: 'email delivery error',
      from: [{ address: 'postmaster@mm1.sprynet.com' }],
      to: [],
      headers: { to: ['unlisted-recipients:; (no To-header on input)'] },
      dsn: {
        recipients: [
          {
            action: 'failed',
            diagnosticCode: '500 (err.nosuchuser)',
            finalRecipient: 'newsletter-request@imusic.com',
            fields: { 'diagnostic-code': 'X-LOCAL; 500 (err.nosuchuser)' },
          },
        ],
      },
    },
  },
  {
    file: 'mimekit__arf-feedback-report-rfc5965.eml',
    verifiedByHand: 'no From; Subject "FW: Earn money"; text starts "This is an email abuse report for an email message received from IP"',
    facts: {
      from: [],
      subject: 'FW: Earn money',
      textStartsWith: 'This is an email abuse report for an email message received from IP',
    },
  },
  {
    file: 'mimekit__mdn-disposition-notification.eml',
    verifiedByHand:
      'Subject "Disposition notification"; From Joe_Recipient@example.com; Date Wed, 20 Sep 1995 00:19:00 (EDT) -0400; returned message text starts "Hey Joe,"',
    facts: {
      subject: 'Disposition notification',
      from: [{ address: 'Joe_Recipient@example.com' }],
      dateHeader: 'Wed, 20 Sep 1995 00:19:00 (EDT) -0400',
      date: '1995-09-20T04:19:00.000Z',
      attachments: [{ contentType: 'message/disposition-notification' }, { contentType: 'message/rfc822', innerTextStartsWith: 'Hey Joe,' }],
    },
  },
  {
    file: 'mimekit__tnef-winmail-dat-koi8r.eml',
    verifiedByHand:
      'Subject "rr test 7"; From rrtest1@xink.io; text (koi8-r QP =DB=CF=D3=D4=C9=CA) starts "шостий"; 1 attachment winmail.dat (application/ms-tnef) - real files are inside TNEF',
    facts: {
      subject: 'rr test 7',
      from: [{ address: 'rrtest1@xink.io' }],
      textStartsWith: '\u0448\u043e\u0441\u0442\u0438\u0439',
      attachments: [{ filename: 'winmail.dat', contentType: 'application/ms-tnef' }],
    },
  },
  {
    file: 'mimekit__smime-signed-thunderbird.eml',
    verifiedByHand:
      'Subject "This is a test of signing with S/MIME"; From fejj@gnome.org; text starts "This message is being generated and signed by Thunderbird 24.1.0"; parts signed.jpg and smime.p7s',
    facts: {
      subject: 'This is a test of signing with S/MIME',
      from: [{ address: 'fejj@gnome.org' }],
      textStartsWith: 'This message is being generated and signed by Thunderbird 24.1.0',
      attachments: [{ filename: 'signed.jpg' }, { filename: 'smime.p7s' }],
    },
  },
  {
    file: 'mimekit__message-partial-1-of-2.eml',
    verifiedByHand:
      'Subject "Audio mail (part 1 of 2)"; From Bill@host.com; Content-type message/partial; id="ABC@host.com"; number=1; total=2; body begins with the headers of the inner message',
    facts: {
      subject: 'Audio mail (part 1 of 2)',
      from: [{ address: 'Bill@host.com' }],
      headers: { 'content-type': ['message/partial; id="ABC@host.com";\tnumber=1; total=2'] },
      attachments: [{ contentType: 'message/partial', contentStartsWith: 'X-Weird-Header-1: Bar\nX-Weird-Header-2: Hello\nMessage-ID: <anotherid@foo.com>' }],
    },
  },
  {
    file: 'mimekit__format-flowed-delsp-qp.eml',
    verifiedByHand:
      'Subject "Test of text body with format=flowed; delsp=yes"; From unit-tests@mimekit.net; QP-decoded text starts "We should have access, and apparently did a few months ago"',
    facts: {
      subject: 'Test of text body with format=flowed; delsp=yes',
      from: [{ address: 'unit-tests@mimekit.net' }],
      textStartsWith: 'We should have access, and apparently did a few months ago',
    },
  },
  {
    file: 'mikel-mail__rfc6532-raw-utf8-headers.eml',
    verifiedByHand: 'Subject "Säying Hello"; From "Jöhn Doe" <jdöe@mächine.example>; To "Märy Smith" <märy@exämple.net>; body "body"',
    facts: {
      subject: 'S\u00e4ying Hello',
      from: [{ address: 'jd\u00f6e@m\u00e4chine.example', name: 'J\u00f6hn Doe' }],
      to: [{ address: 'm\u00e4ry@ex\u00e4mple.net', name: 'M\u00e4ry Smith' }],
      text: 'body\n',
    },
  },
  {
    file: 'mikel-mail__shift-jis-8bit-body.eml',
    verifiedByHand: 'Subject "test"; From xxxxxxx@docomo.ne.jp; text starts "あいうえお" then "このメールはテスト用のメールです。"',
    facts: {
      subject: 'test',
      from: [{ address: 'xxxxxxx@docomo.ne.jp' }],
      textStartsWith:
        '\u3042\u3044\u3046\u3048\u304a\n\n\u3053\u306e\u30e1\u30fc\u30eb\u306f\u30c6\u30b9\u30c8\u7528\u306e\u30e1\u30fc\u30eb\u3067\u3059\u3002',
    },
  },
  {
    file: 'mikel-mail__iso-2022-jp-body-utf8-subject.eml',
    verifiedByHand: 'Subject "まみむめも"; From raasdnil@gmail.com; To name "みける"; text "すみません。"',
    facts: {
      subject: '\u307e\u307f\u3080\u3081\u3082',
      from: [{ address: 'raasdnil@gmail.com' }],
      to: [{ address: 'raasdnil@gmail.com', name: '\u307f\u3051\u308b' }],
      textStartsWith: '\u3059\u307f\u307e\u305b\u3093\u3002',
    },
  },
  {
    file: 'mikel-mail__rfc2231-continued-filename-long-subject.eml',
    verifiedByHand: 'Subject is "まみむめも" repeated 10 times; attachment filename "かきくけこ" x5 + ".txt"; text "this is the data"',
    facts: {
      subject: '\u307e\u307f\u3080\u3081\u3082'.repeat(10),
      text: null,
      attachments: [{ filename: '\u304b\u304d\u304f\u3051\u3053'.repeat(5) + '.txt', contentStartsWith: 'this is the data' }],
    },
  },
  {
    file: 'mikel-mail__rfc2231-iso-8859-1-filename.eml',
    verifiedByHand: 'Subject "Eelanalüüsi päring"; From jeff@37signals.com; 1 image/jpeg "Eelanalüüsi päring.jpg" (disposition inline, no Content-ID)',
    facts: {
      subject: 'Eelanal\u00fc\u00fcsi p\u00e4ring',
      from: [{ address: 'jeff@37signals.com' }],
      attachments: [{ contentType: 'image/jpeg', filename: 'Eelanal\u00fc\u00fcsi p\u00e4ring.jpg', disposition: 'inline', contentId: null }],
    },
  },
  {
    file: 'mikel-mail__rfc2231-iso-2022-jp-bad-percent.eml',
    verifiedByHand:
      'Subject "Fwd: Signed email causes file attachments"; text starts "We should not include these files or vcards"; 1 application/octet-stream attachment whose name is raw-ish "01 Quien Te Dij?at. Pitbull.mp3" (byte 0x8A not valid in iso-2022-jp; expect replacement char or fallback); file starts with an mbox "From " line',
    facts: {
      subject: 'Fwd: Signed email causes file attachments',
      textStartsWith: 'We should not include these files or vcards',
      // %8a is no ISO-2022-JP byte: it falls back to windows-1252 (U+0160), not dropped and not U+FFFD.
      attachments: [{ contentType: 'application/octet-stream', filename: '01 Quien Te Dij\u0160at. Pitbull.mp3' }],
      rawStartsWith: 'From ',
    },
  },
  {
    file: 'mikel-mail__bad-date-long-header-lines.eml',
    verifiedByHand:
      'Subject "You may_be Eligible for Legitimate_Cash from_GovAgencies!"; From infoz@reactive-outpost.com; Date value "<HR>" -> unparseable, must become null/fallback not crash; text/html single part',
    facts: {
      subject: 'You may_be Eligible for Legitimate_Cash from_GovAgencies!',
      from: [{ address: 'infoz@reactive-outpost.com' }],
      dateHeader: '<HR>',
      date: null,
      headers: { 'content-type': ['text/html   ; charest="us-ascii"'] },
      // The file ends with the header block: a text/html single part with an empty body.
      text: null,
      html: null,
      attachments: [],
    },
  },
  {
    file: 'mikel-mail__multipart-without-any-parts.eml',
    verifiedByHand: 'Subject "REDACTED"; From redacted@attglobal.net; To "<Undisclosed-Recipient:@mailman.enron.com;>"; body empty; 0 attachments',
    facts: {
      subject: 'REDACTED',
      from: [{ address: 'redacted@attglobal.net' }],
      headers: { to: ['<Undisclosed-Recipient:@mailman.enron.com;>'] },
      text: null,
      html: null,
      attachments: [],
    },
  },
  {
    file: 'mikel-mail__unknown-charset-bad-base64-padding.eml',
    verifiedByHand:
      'Subject raw "=?NONE?B?VEVTVA=?="; base64 decodes to "TEST" if padding is repaired; charset unknown -> expect "TEST" or the raw word, not a crash; body "TEST"; no From/Date/Message-ID',
    facts: {
      subject: 'TEST',
      text: 'TEST\n',
      from: [],
      date: null,
      messageId: null,
      rawStartsWith: 'Subject: =?NONE?B?VEVTVA=?=',
    },
  },
  {
    file: 'mikel-mail__binary-cte-duplicate-subject.eml',
    verifiedByHand:
      'first line is an mbox "From email_test@me.nowhere" separator; two Subject headers ("Testing outlook", "Another PDF"); From email_test@me.nowhere; 1 image/jpeg part name 2013-08-13_19-08-28-1.jpg with content "BINARY_CONTENT_GOES_HERE"',
    facts: {
      rawStartsWith: 'From email_test@me.nowhere',
      headers: { subject: ['Testing outlook', 'Another PDF'] },
      subject: 'Testing outlook',
      from: [{ address: 'email_test@me.nowhere' }],
      attachments: [{ contentType: 'image/jpeg', filename: '2013-08-13_19-08-28-1.jpg', contentStartsWith: 'BINARY_CONTENT_GOES_HERE' }],
    },
  },
  {
    file: 'mikel-mail__unquoted-boundary-with-equals.eml',
    verifiedByHand:
      'Subject "Testing outlook"; From email_test@me.nowhere; text (QP) starts "Hello" / "This is an outlook test"; file starts with mbox "From " line',
    facts: {
      subject: 'Testing outlook',
      from: [{ address: 'email_test@me.nowhere' }],
      textStartsWith: 'Hello\nThis is an outlook test',
      rawStartsWith: 'From ',
    },
  },
  {
    file: 'mikel-mail__raw-8bit-utf8-filename.eml',
    verifiedByHand:
      'Subject "testing"; From foo@example.com; text "This is the first part."; 1 attachment filename "ciële.txt" (raw UTF-8 C3 AB), content "Hi there."',
    facts: {
      subject: 'testing',
      from: [{ address: 'foo@example.com' }],
      text: 'This is the first part.',
      attachments: [{ filename: 'ci\u00eble.txt', contentStartsWith: 'Hi there.' }],
    },
  },
  {
    file: 'mikel-mail__x-uuencode-cte.eml',
    verifiedByHand:
      'Subject "PGP Comments on RTO West Release of Dec. 14"; From lpeters@PACIFIER.COM; text starts "Attached are the comments of the Public Generating Pool."; 1 application/msword attachment PGP_Cmts_on_12-14-01_Pkg.doc (x-uuencode)',
    facts: {
      subject: 'PGP Comments on RTO West Release of Dec. 14',
      from: [{ address: 'lpeters@PACIFIER.COM' }],
      textStartsWith: 'Attached are the comments of the Public Generating Pool.',
      attachments: [{ contentType: 'application/msword', filename: 'PGP_Cmts_on_12-14-01_Pkg.doc' }],
    },
  },
  {
    file: 'mikel-mail__8bit-garbage-in-date-euc-kr.eml',
    verifiedByHand:
      'Subject "NOTE: 한국말로 하는 것"; From mikel@me.com; Date Sat, 20 Sep 2008 20:04:30 +0300 plus 8-bit comment (= 2008-09-20T17:04:30Z); text starts "대부분의 마찬가지로,"',
    facts: {
      subject: 'NOTE: \ud55c\uad6d\ub9d0\ub85c \ud558\ub294 \uac83',
      from: [{ address: 'mikel@me.com' }],
      date: '2008-09-20T17:04:30.000Z',
      textStartsWith: '\ub300\ubd80\ubd84\uc758 \ub9c8\ucc2c\uac00\uc9c0\ub85c,',
    },
  },
  {
    file: 'mikel-mail__blank-continuation-line-in-to.eml',
    verifiedByHand:
      'Subject "[Online Lead] Online Lead #1111111"; From l@gcn-example.com; To has 6 addresses (leads@sg.dc.com ... cc@c-l-example.com); text starts "<?xml version="',
    facts: {
      subject: '[Online Lead] Online Lead #1111111',
      from: [{ address: 'l@gcn-example.com' }],
      to: ['leads@sg.dc.com', 'sag@leads.gs.ry.com', 'sn@example-hotmail.com', 'e-s-a-g-8718@app.ar.com', 'jp@t-exmaple.com', 'cc@c-l-example.com'].map(
        (address) => ({ address }),
      ),
      textStartsWith: '<?xml version=',
    },
  },
  {
    file: 'mikel-mail__smime-signed-pkcs7-signature.eml',
    verifiedByHand:
      'file starts with an mbox "From " line; Subject "Fwd: Signed email causes file attachments"; text starts "We should not include these files or vcards"; 1 attachment smime.p7s',
    facts: {
      rawStartsWith: 'From ',
      subject: 'Fwd: Signed email causes file attachments',
      textStartsWith: 'We should not include these files or vcards',
      attachments: [{ filename: 'smime.p7s' }],
    },
  },
  {
    file: 'mikel-mail__windows-1252-encoded-word-in-quotes.eml',
    verifiedByHand:
      'From info@formacaofrenetik.info, name "Formação Frenetikpolis" (if encoded-word inside quotes is decoded); Subject raw bytes are windows-1252 (0xE7 0xE3 ...) = "Formação FrenetikPolis: Mega Campanha Final Verão | Cursos de Setembro"; To has 3 addresses; body "TEST"',
    facts: {
      from: [{ address: 'info@formacaofrenetik.info', name: 'Forma\u00e7\u00e3o Frenetikpolis' }],
      subject: 'Forma\u00e7\u00e3o FrenetikPolis: Mega Campanha Final Ver\u00e3o | Cursos de Setembro',
      to: [{ address: 'martin@internet.ao' }, { address: 'iris@internet.ao' }, { address: 'support@maxnet.ao' }],
      text: 'TEST\n',
    },
  },
  {
    file: 'mikel-mail__bare-lf-line-endings.eml',
    verifiedByHand: 'Subject "Testing 123"; From test@lindsaar.net; text starts "Plain email."',
    facts: { subject: 'Testing 123', from: [{ address: 'test@lindsaar.net' }], textStartsWith: 'Plain email.' },
  },
  {
    file: 'sisimai-via-emailengine__auto-reply-rfc3834.eml',
    verifiedByHand: 'Subject "Away until May 5"; From kijitora@example.net; To neko@libsisimai.org; Message-Id <200503142138.j3QNaaaa222222@neko.example.org>',
    facts: {
      subject: 'Away until May 5',
      from: [{ address: 'kijitora@example.net' }],
      to: [{ address: 'neko@libsisimai.org' }],
      messageId: '<200503142138.j3QNaaaa222222@neko.example.org>',
      autoReply: true,
    },
  },
  {
    file: 'sisimai-via-emailengine__dmarc-report.eml',
    verifiedByHand:
      'Subject starts "DMARC Forensic report for example.net"; From dmarc-noreply@example.com; parts text/plain, message/feedback-report, message/rfc822',
    facts: {
      subjectStartsWith: 'DMARC Forensic report for example.net',
      from: [{ address: 'dmarc-noreply@example.com' }],
      textSource: 'plain',
      attachments: [{ contentType: 'message/feedback-report' }, { contentType: 'message/rfc822' }],
    },
  },
]
