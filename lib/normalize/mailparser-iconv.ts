import { Transform, type TransformCallback } from 'node:stream'
import { decodeBytes } from './charsets.js'

/**
 * A class for mailparser's `Iconv` option (it builds `new Iconv(charset, 'UTF-8//TRANSLIT//IGNORE')` for every
 * text part whose charset is not UTF-8/ASCII and reads UTF-8 bytes from it), so body text goes through
 * `decodeBytes`: its label fixes and its fallback instead of libmime's UTF-8-with-U+FFFD for unknown labels.
 * A part's text is buffered whole (mailparser keeps it whole anyway). `onUnknown` hears each unknown label.
 */
export function charsetDecoderClass(onUnknown: (label: string) => void) {
  return class CharsetDecoder extends Transform {
    private readonly chunks: Buffer[] = []
    private readonly charset: string
    constructor(charset: string) {
      super()
      this.charset = charset
    }
    override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      this.chunks.push(chunk)
      done()
    }
    override _flush(done: TransformCallback) {
      const { text, known } = decodeBytes(Buffer.concat(this.chunks), this.charset)
      if (!known) onUnknown(this.charset)
      done(null, Buffer.from(text, 'utf8'))
    }
  }
}
