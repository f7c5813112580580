import { normalizeMessage, type NormalizeContext } from '../normalize/normalize.js'
import type { InboundMessage } from '../normalize/inbound-message.js'
import { readHeaderBlock } from '../normalize/raw-headers.js'

/** Bytes of a message read for its header-only document: a header block longer than this is cut. */
export const HEAD_BYTES = 64 * 1024

/**
 * Offset where the last field of a cut header block starts: the last line start not followed by whitespace
 * (RFC 5322 §2.2.3 folding), so a field the cut may have shortened, with its continuation lines, is left out.
 */
function lastFieldStart(head: Buffer): number {
  for (let i = head.lastIndexOf(0x0a, head.length - 2); i >= 0; i = head.lastIndexOf(0x0a, i - 1)) {
    const next = head[i + 1]
    if (next !== 0x20 && next !== 0x09) return i + 1
    if (i === 0) break
  }
  return 0
}

/**
 * The document of a message whose body is not parsed (too large, or poison): the header fields of its first
 * bytes (`head`, at most HEAD_BYTES), read by the normalizer as a message without a body, with the size and
 * SHA-256 of the whole message, no body or attachments, and `parseError`. A header block cut by `head` loses its
 * last field, which the cut may have shortened, and gets the warning `headers-truncated`. Never throws.
 */
export async function headerOnlyDocument(
  head: Buffer,
  whole: { size: number; sha256: string },
  ctx: Omit<NormalizeContext, 'attachmentKey'>,
  parseError: string,
): Promise<InboundMessage> {
  const block = readHeaderBlock(head)
  const complete = block.bodyOffset < head.length || head.length === whole.size
  const cut = complete ? block.bodyOffset : lastFieldStart(head)
  const { document } = await normalizeMessage(head.subarray(0, cut), { ...ctx, attachmentKey: () => 'none' })
  return {
    ...document,
    size: whole.size,
    sha256: whole.sha256,
    text: null,
    textSource: null,
    textReply: null,
    html: null,
    bodyParts: [],
    attachments: [],
    dsn: null,
    warnings: complete ? document.warnings : [...document.warnings, { code: 'headers-truncated', detail: `header block longer than ${head.length} bytes` }],
    parseError,
  }
}
