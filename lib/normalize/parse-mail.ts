import { Readable } from 'node:stream'
import { MailParser, type AttachmentStream, type MailParserOptions, type MessageText } from 'mailparser'

/** What normalizeMessage uses of mailparser's result (simpleParser's ParsedMail, less the rest). */
export interface ParsedBodies {
  text?: string
  html?: string | false
  attachments: ParsedAttachment[]
}

export interface ParsedAttachment {
  partId: string | null
  content: Buffer
  contentType: string
  filename?: string
  contentDisposition?: string
  cid?: string
}

/**
 * Views of `raw`, 64 KiB each (no copy): what mailparser is fed. Written whole, the message is copied by mailsplit's
 * ChunkedPassthrough and a base64 body reaches libbase64 as one chunk, decoded through two strings of its size.
 */
function* slices(raw: Buffer, size = 64 * 1024): Generator<Buffer> {
  for (let i = 0; i < raw.length; i += size) yield raw.subarray(i, i + size)
}

/**
 * Collects an attachment's decoded bytes. With a size that is at least the decoded size, they are copied into one
 * buffer as they come (simpleParser keeps every chunk, then copies them all: twice the attachment at its end); a
 * hint that is too small falls back to the chunks. A hint far above the size is not kept: the bytes are copied out.
 */
class ByteSink {
  private buf: Buffer | null
  private readonly chunks: Buffer[] = []
  private length = 0
  constructor(hint: number | undefined) {
    this.buf = hint && hint > 0 ? Buffer.allocUnsafe(hint) : null
  }
  write(chunk: Buffer) {
    if (this.buf && this.length + chunk.length <= this.buf.length) {
      chunk.copy(this.buf, this.length)
    } else {
      if (this.buf) this.chunks.push(this.buf.subarray(0, this.length))
      this.buf = null
      this.chunks.push(chunk)
    }
    this.length += chunk.length
  }
  take(): Buffer {
    if (!this.buf) return Buffer.concat(this.chunks, this.length)
    const content = this.buf.subarray(0, this.length)
    return this.buf.length - this.length > this.buf.length / 8 ? Buffer.from(content) : content
  }
}

/**
 * mailparser's simpleParser as normalizeMessage needs it: the same MailParser stream and the same results for the
 * texts and attachments, with the message fed in 64 KiB views and each attachment's bytes collected into one buffer
 * of `sizeHint(partId)` bytes (an upper bound of its decoded size, or undefined when not known). Rejects on the
 * first parser error, as simpleParser does.
 */
export function parseMail(raw: Buffer, options: MailParserOptions, sizeHint: (partId: string | null) => number | undefined): Promise<ParsedBodies> {
  return new Promise((resolve, reject) => {
    let settled = false
    const fail = (err: unknown) => {
      if (!settled) reject(err)
      settled = true
    }
    const mail: ParsedBodies = { attachments: [] }
    const parser = new MailParser(options)
    parser.on('error', fail)
    let reading = false
    const reader = () => {
      reading = true
      const data = parser.read() as AttachmentStream | MessageText | null
      if (data === null) {
        reading = false
        return
      }
      if (data.type === 'text') {
        if ('text' in data) mail.text = data.text
        if ('html' in data) mail.html = data.html as string | false
        return reader()
      }
      const partId = data.partId ?? null
      const sink = new ByteSink(sizeHint(partId))
      const attachment: ParsedAttachment = {
        partId,
        content: Buffer.alloc(0),
        contentType: data.contentType,
        filename: data.filename,
        contentDisposition: data.contentDisposition,
        cid: data.cid,
      }
      mail.attachments.push(attachment)
      const content = data.content as Readable
      content.on('error', fail)
      content.on('readable', () => {
        let chunk: Buffer | null
        while ((chunk = content.read() as Buffer | null) !== null) sink.write(chunk)
      })
      content.on('end', () => {
        attachment.content = sink.take()
        data.release?.()
        reader()
      })
    }
    parser.on('readable', () => {
      if (!reading) reader()
    })
    parser.on('end', () => {
      if (!settled) resolve(mail)
      settled = true
    })
    Readable.from(slices(raw)).pipe(parser)
  })
}
