import { htmlToText } from 'html-to-text'

/**
 * HTML longer than this (UTF-16 units) is converted only up to here: html-to-text is synchronous and takes about
 * 0.5 s per MB here, time during which nothing else in the process runs.
 */
export const HTML_TO_TEXT_MAX_CHARS = 200_000

interface ImageElement {
  attribs?: Record<string, string>
}
interface InlineBuilder {
  addInline(text: string, options?: { noWordTransform?: boolean }): void
}

/**
 * Text made from an HTML body (html-to-text, no word wrap, nesting bounded at 1000 levels), trimmed. Images: one
 * whose `src` is `cid:` or `data:` is shown as `[image: <alt>]`, or `[image: <file name>]` from `cidNames` (the
 * attachments' Content-IDs, without brackets, to their file names), else left out, never as `[cid:...]`; other
 * images as html-to-text shows them (`alt [src]`). Never throws: unreadable HTML gives ''. Only the first
 * HTML_TO_TEXT_MAX_CHARS characters are converted.
 */
export function textFromHtml(html: string, cidNames: ReadonlyMap<string, string> = new Map()): string {
  const image = (elem: ImageElement, _walk: unknown, builder: InlineBuilder) => {
    const alt = elem.attribs?.alt?.trim() ?? ''
    const src = elem.attribs?.src?.trim() ?? ''
    if (/^(?:cid|data):/i.test(src)) {
      const name = alt || (/^cid:/i.test(src) ? cidNames.get(src.slice(4).replace(/^<|>$/g, '')) : '') || ''
      if (name) builder.addInline(`[image: ${name}]`, { noWordTransform: true })
      return
    }
    const text = !src ? alt : alt ? `${alt} [${src}]` : `[${src}]`
    if (text) builder.addInline(text, { noWordTransform: true })
  }
  try {
    return htmlToText(html.length > HTML_TO_TEXT_MAX_CHARS ? html.slice(0, HTML_TO_TEXT_MAX_CHARS) : html, {
      wordwrap: false,
      limits: { maxDepth: 1000 },
      formatters: { posternImage: image },
      selectors: [{ selector: 'img', format: 'posternImage' }],
    }).trim()
  } catch {
    return ''
  }
}
