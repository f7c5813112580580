import { Readable } from 'node:stream'
import type { ObjectStore } from '../store/object-store.js'
import { putJson } from '../store/json.js'
import { jsonPieces } from './json-pieces.js'

/** Documents whose JSON may be longer than this (bytes) are written as a stream, with their length checked. */
const STREAM_ABOVE = 1024 * 1024

/** True when a document's JSON may pass 1 MiB: writeDocument streams it and checks its length. */
export const isLargeDocument = (document: unknown) => roughJsonBound(document) > STREAM_ABOVE

/**
 * Largest document (bytes of JSON) kept for a message of `rawBytes`: twice the message plus 1 MiB. Real mail
 * stays well below it (bodies are at most the message once as text and once as HTML); a message made to blow up
 * in JSON (a body of control bytes becomes six times its size) gets a header-only document instead, which keeps
 * the stored document readable in one piece by its consumers (webhook payloads are built from it).
 */
export const documentLimitBytes = (rawBytes: number) => 2 * rawBytes + 1024 * 1024

/**
 * A cheap upper bound, in bytes, of `JSON.stringify(value, null, 2)` as UTF-8: six bytes for every string character
 * (the most one takes, `\uXXXX`) plus indentation and punctuation. Walks the value; reads no string.
 */
export function roughJsonBound(value: unknown, depth = 0): number {
  if (typeof value === 'string') return 6 * value.length + 2
  if (value === null || typeof value !== 'object') return 24
  let n = 2 * depth + 3
  for (const [k, v] of Object.entries(value)) n += 2 * depth + 8 + 6 * k.length + roughJsonBound(v, depth + 1)
  return n
}

/** A document's JSON passed the limit it was written under (documentLimitBytes); nothing was placed. */
export class DocumentTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`document_too_large: its JSON passed ${limitBytes} bytes`)
    this.name = 'DocumentTooLargeError'
  }
}

/**
 * Writes a document as pretty JSON (as putJson does). One that may be over 1 MiB is written as a stream of pieces
 * (json-pieces.ts), never as one string, and counted as it goes: past `maxBytes` the write is abandoned and
 * DocumentTooLargeError thrown. Other errors are the store's.
 */
export async function writeDocument(store: ObjectStore, key: string, document: unknown, maxBytes: number): Promise<void> {
  if (!isLargeDocument(document)) {
    await putJson(store, key, document)
    return
  }
  const counted = function* () {
    let written = 0
    for (const piece of jsonPieces(document)) {
      const bytes = Buffer.from(piece)
      written += bytes.length
      if (written > maxBytes) throw new DocumentTooLargeError(maxBytes)
      yield bytes
    }
  }
  await store.putStream(key, Readable.from(counted()), { contentType: 'application/json' })
}
