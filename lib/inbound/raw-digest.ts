import { createHash } from 'node:crypto'
import { Transform, type TransformCallback } from 'node:stream'

/** What one pass over a message's bytes learns without keeping them. */
export interface RawDigest {
  /** SHA-256 of every byte, lower-case hex. */
  sha256: string
  /** Bytes in all. */
  size: number
  /** The first `headBytes` bytes (fewer when the message is shorter): enough for the header block. */
  head: Buffer
}

/**
 * Reads a stream to its end, hashing it (SHA-256) and keeping only its first `headBytes` bytes, so memory stays
 * at `headBytes` plus one chunk whatever the message's size. Rejects with the stream's error.
 */
export async function digestStream(stream: AsyncIterable<unknown>, headBytes: number): Promise<RawDigest> {
  const hash = createHash('sha256')
  const head = Buffer.allocUnsafe(headBytes)
  let size = 0
  for await (const c of stream) {
    const chunk = c as Buffer
    if (size < headBytes) chunk.copy(head, size, 0, Math.min(chunk.length, headBytes - size))
    hash.update(chunk)
    size += chunk.length
  }
  return { sha256: hash.digest('hex'), size, head: head.subarray(0, Math.min(size, headBytes)) }
}

/** The second read of a message gave other bytes than the first (the server changed it, or the stream was cut). */
export class RawChangedError extends Error {
  constructor(expected: { sha256: string; size: number }, got: { sha256: string; size: number }) {
    super(`the message changed between two reads: ${expected.size} bytes sha256 ${expected.sha256}, then ${got.size} bytes sha256 ${got.sha256}`)
    this.name = 'RawChangedError'
  }
}

/**
 * A pass-through that fails at its end (before the consumer sees the end) when the bytes are not the expected
 * ones, so a store write fed by it never places other bytes under a key derived from the expected digest.
 */
export function expectDigest(expected: { sha256: string; size: number }): Transform {
  const hash = createHash('sha256')
  let size = 0
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      hash.update(chunk)
      size += chunk.length
      cb(null, chunk)
    },
    flush(cb: TransformCallback) {
      const got = { sha256: hash.digest('hex'), size }
      cb(got.sha256 === expected.sha256 && got.size === expected.size ? null : new RawChangedError(expected, got))
    },
  })
}
