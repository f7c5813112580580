import { INLINE_MAX_BYTES } from '../../lib/store/sqlite-store.js'

/** A test body that says which key and version it is: every third one too large to keep inline. */
export function bodyFor(i: number, version: string): Buffer {
  const size = i % 3 === 0 ? INLINE_MAX_BYTES + 1000 + (i % 7) : 100 + (i % 50)
  const head = Buffer.from(`${i} ${version} `)
  return Buffer.concat([head, Buffer.alloc(size - head.length, i % 251)])
}
