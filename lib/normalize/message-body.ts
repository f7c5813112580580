import libmime from 'libmime'
import type { Breather } from './breather.js'
import { decodeBytes } from './charsets.js'
import { HTML_TO_TEXT_MAX_CHARS, textFromHtml } from './html-text.js'
import type { MimePart } from './mime-tree.js'
import { decodeTransfer } from './transfer-encoding.js'
import { UUENCODE_CTES, uudecode } from './uuencode.js'

/** A part that leaves a file (an attachment, or an inline text part that names one), its bytes decoded. */
export interface BodyFile {
  part: MimePart
  content: Buffer
  /** Disposition `filename` (RFC 2183), else Content-Type `name`, else the x-uuencode `begin` line's; or null. */
  filename: string | null
  /** The declared type, lower-cased; message/rfc822 in a digest, application/octet-stream when none. */
  contentType: string
  contentId: string | null
}

export interface MessageBody {
  text: string | null
  textSource: 'plain' | 'html' | null
  html: string | null
  files: BodyFile[]
}

interface Leaf {
  part: MimePart
  /** Inside a multipart/alternative. */
  alternative: boolean
}

/** Characters of HTML converted to text in one message at most (about 0.5 s of html-to-text here). */
export const HTML_TO_TEXT_BUDGET = 1_000_000

/** How warnings name a part: `part 1.2`, or `message` for a multipart root. */
const where = (part: MimePart) => (part.partId ? `part ${part.partId}` : 'message')
const firstHeader = (part: MimePart, name: string) => part.headers.find((h) => h.name === name)?.value.toString('latin1') ?? null

/** Leaves in MIME order; a multipart is a container, whatever it holds (an empty one holds nothing). */
function leaves(root: MimePart): Leaf[] {
  const out: Leaf[] = []
  const walk = (p: MimePart, alternative: boolean) => {
    if (!p.type.startsWith('multipart/')) out.push({ part: p, alternative })
    else for (const c of p.children) walk(c, alternative || p.type === 'multipart/alternative')
  }
  walk(root, false)
  return out
}

/** The text of an inline text part: charset decoded, line ends `\n`, format=flowed (RFC 3676) unwrapped. */
function partText(part: MimePart, bytes: Buffer, warn: (code: string, detail: string) => void): string {
  const params = part.contentType?.params ?? {}
  const { text, known, dropped } = decodeBytes(bytes, params.charset)
  if (!known) warn('charset-unknown', params.charset ?? '')
  if (dropped) warn('charset-invalid', `${where(part)} (${params.charset}): ${dropped} sequences invalid in it dropped`)
  const lf = text.includes('\r') ? text.replace(/\r\n/g, '\n') : text
  if (part.type !== 'text/plain' || params.format?.trim().toLowerCase() !== 'flowed') return lf
  return libmime.decodeFlowed(lf, params.delsp?.trim().toLowerCase() === 'yes')
}

/**
 * Reads the body of a MIME tree: the text and HTML bodies and the parts that leave files, in MIME order.
 *
 * A text/plain or text/html part is body unless its Content-Disposition says otherwise (`attachment` or an
 * unknown type, RFC 2183 §2.8); every other leaf is a file, and so is an inline text part that names a file (mail
 * clients show both). `text` is every non-empty inline text/plain part joined with `\n`, plus, for an HTML part
 * outside any multipart/alternative next to them, text made from it (its content is in no plain part); `html` is
 * every inline HTML part joined with `<br/>\n` (as mailparser). Without any text/plain part, `text` is made from
 * `html`. A transfer encoding that is broken (base64 outside its alphabet or truncated, stray `=` in
 * quoted-printable) is decoded as far as it goes and reported through `warn`. `breathe` is called between parts
 * and every 64 KiB of encoded input.
 */
export async function readMessageBody(root: MimePart, warn: (code: string, detail: string) => void, breathe: Breather): Promise<MessageBody> {
  const files: BodyFile[] = []
  const bodies: Array<{ leaf: Leaf; text: string }> = []
  for (const leaf of leaves(root)) {
    await breathe()
    const { part } = leaf
    const cte = firstHeader(part, 'content-transfer-encoding')
    const { bytes, problem } = await decodeTransfer(part.body, cte, breathe)
    if (problem) warn('transfer-encoding-invalid', `${where(part)} (${cte?.trim().toLowerCase()}): ${problem}`)
    const isText = part.type === 'text/plain' || part.type === 'text/html'
    const disposition = part.disposition?.value ?? null
    let filename = part.disposition?.params.filename || part.contentType?.params.name || null
    const inlineBody = isText && (disposition === null || disposition === 'inline')
    if (inlineBody) bodies.push({ leaf, text: partText(part, bytes, warn) })
    // Only a part declared text/plain or text/html names a file; an invalid type read as text/plain does not.
    if (inlineBody && (!filename || part.contentType?.value !== part.type)) continue
    let content = bytes
    // An x-uuencode body (Eudora, Exchange 5.5) carries a file of its own: decode it.
    const uu = UUENCODE_CTES.has((cte ?? '').trim().toLowerCase()) ? uudecode(bytes) : null
    if (uu) [content, filename] = [uu.content, filename ?? uu.name]
    const declared = part.contentType?.value
    const contentType = declared || (part.parentType === 'multipart/digest' ? 'message/rfc822' : 'application/octet-stream')
    const contentId = firstHeader(part, 'content-id')?.trim().replace(/^<|>$/g, '').trim() || null
    files.push({ part, content, filename, contentType, contentId })
  }

  const cidNames = new Map(files.filter((f) => f.contentId && f.filename).map((f) => [f.contentId!, f.filename!]))
  // html-to-text is synchronous: bounded per part and per message, so many HTML parts cannot add up to seconds.
  let htmlBudget = HTML_TO_TEXT_BUDGET
  const fromHtml = async (html: string, from: string) => {
    await breathe()
    const limit = Math.min(HTML_TO_TEXT_MAX_CHARS, htmlBudget)
    if (html.length > limit) warn('html-to-text-truncated', `${from}: text made from the first ${limit} of ${html.length} characters`)
    htmlBudget -= Math.min(html.length, limit)
    return limit > 0 ? textFromHtml(html.slice(0, limit), cidNames) : ''
  }
  const hasPlain = bodies.some((b) => b.leaf.part.type === 'text/plain')
  const texts: string[] = []
  const htmls: string[] = []
  for (const { leaf, text } of bodies) {
    if (!text) continue
    if (leaf.part.type === 'text/plain') texts.push(text)
    else {
      if (!leaf.alternative && hasPlain) texts.push(await fromHtml(text, where(leaf.part)))
      htmls.push(text)
    }
  }
  const html = htmls.length ? htmls.join('<br/>\n') : null
  if (!hasPlain && html) return { text: await fromHtml(html, 'html'), textSource: 'html', html, files }
  const text = texts.length ? texts.join('\n') : null
  return { text, textSource: text === null ? null : 'plain', html, files }
}
