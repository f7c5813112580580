import libmime from 'libmime'

/** Longest safe filename, in UTF-8 bytes (object keys allow 1024 in all; the rest is the caller's prefix). */
export const SAFE_FILENAME_MAX_BYTES = 100

/**
 * Characters never kept in a safe filename: C0/C1 controls, line and paragraph separators, path separators, and
 * the characters that object stores and shells treat specially (AWS's "characters to avoid" in S3 keys).
 */
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff/\\:*?"<>|#%{}^~[\]`]/g

/** Cuts a string to at most `max` UTF-8 bytes without splitting a character. */
function cutBytes(s: string, max: number): string {
  let out = ''
  let bytes = 0
  for (const ch of s) {
    const n = Buffer.byteLength(ch)
    if (bytes + n > max) break
    out += ch
    bytes += n
  }
  return out
}

/**
 * A filename that is safe in an object key or a path, made from the name as sent (the name as sent stays in
 * `filename`): NFC-normalised; every unsafe character (see UNSAFE: `/`, `\`, CR, LF, other controls, bidi
 * overrides, ...) replaced by `_`; runs of dots cut to one, so no `..`; no leading dot, dash or space, no trailing
 * dot or space; whitespace runs made one space; at most SAFE_FILENAME_MAX_BYTES UTF-8 bytes, keeping a short
 * extension. When nothing is left (or there was no name) it is `attachment-<n>` plus the extension of the
 * content type (`attachment-2.png`, `attachment-1.eml`, `.bin` when unknown).
 */
export function safeFilename(filename: string | null, ordinal: number, contentType: string): string {
  let name = (filename ?? '')
    .normalize('NFC')
    .replace(UNSAFE, '_')
    .replace(/\s+/g, ' ')
    .replace(/\.{2,}/g, '.')
    .replace(/^[\s.\-_]+/, '')
    .replace(/[\s.]+$/, '')
  if (!/[\p{L}\p{N}]/u.test(name)) name = ''
  if (!name) {
    const ext = contentType.includes('/') ? libmime.detectExtension(contentType) : 'bin'
    name = `attachment-${ordinal}.${ext || 'bin'}`
  }
  if (Buffer.byteLength(name) <= SAFE_FILENAME_MAX_BYTES) return name
  const dot = name.lastIndexOf('.')
  const ext = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : ''
  return cutBytes(name.slice(0, name.length - ext.length), SAFE_FILENAME_MAX_BYTES - Buffer.byteLength(ext)).trimEnd() + ext
}
