import type Mail from 'nodemailer/lib/mailer'
import { detectMimeType } from 'nodemailer/lib/mime-funcs'
import type { Mailbox } from './address.js'
import type { AcceptedRequest } from './records.js'

const mailbox = (m: Mailbox) => ({ name: m.name, address: m.address })

/**
 * The type an attachment goes out with: the request's (checked by the schema), else the one its filename suggests,
 * except message/* and multipart/*, which nodemailer would send unencoded or as structure (`x.eml`).
 */
export const attachmentType = (a: { filename: string; contentType?: string }) => {
  if (a.contentType) return a.contentType
  const guess = detectMimeType(a.filename)
  return /^(message|multipart)\//i.test(guess) ? 'application/octet-stream' : guess
}

/** The envelope MAIL FROM of a message: the VERP return path with its id (`bounces+{id}@...`), else the From address. */
export const returnPathFor = (record: AcceptedRequest, returnPath: string | undefined) =>
  returnPath ? returnPath.replace('{id}', record.id.toLowerCase()) : record.request.from.address

/**
 * Turns an accepted request into nodemailer message options. The Message-ID is fixed at acceptance and `date` (the
 * `Date:` header, RFC 5322 §3.6.1) at the first attempt, so every attempt sends the same headers. `recipients`
 * narrows the envelope (RCPT TO) for a retry of the recipients a relay deferred; the headers still name everyone.
 * `returnPath`: the config's VERP template (`bounces+{id}@mail.example.com`), else the envelope sender is From.
 */
export function composeMail(record: AcceptedRequest, opts: { date: Date; recipients?: string[]; returnPath?: string }): Mail.Options {
  const recipients = opts.recipients
  const r = record.request
  const to = r.to.map(mailbox)
  const cc = r.cc?.map(mailbox)
  const bcc = r.bcc?.map(mailbox)
  return {
    from: mailbox(r.from),
    to,
    cc,
    bcc,
    replyTo: r.replyTo?.map(mailbox),
    subject: r.subject,
    text: r.text,
    html: r.html,
    attachments: r.attachments?.map((a) => ({
      filename: a.filename,
      content: Buffer.from(a.content, 'base64'),
      contentType: attachmentType(a),
      cid: a.contentId,
      contentDisposition: a.disposition ?? (a.contentId ? 'inline' : 'attachment'),
    })),
    headers: r.headers,
    messageId: record.messageId,
    date: opts.date,
    // Boundaries from the id instead of random bytes drawn per message: the same on every attempt.
    baseBoundary: record.id.toLowerCase(),
    // No X-Mailer header: what Postern sends is the request's message.
    xMailer: false,
    envelope: {
      from: returnPathFor(record, opts.returnPath),
      to: recipients ?? [...to, ...(cc ?? []), ...(bcc ?? [])].map((m) => m.address),
    },
    // Request content never names files or URLs, but make sure nodemailer could not act on one.
    disableFileAccess: true,
    disableUrlAccess: true,
  }
}
