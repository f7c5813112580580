import { ApiError } from '../errors.js'

/**
 * Opaque page cursors: base64url of `{"v":1,"after":<tail>}`, the last index entry name a page returned
 * (lib/logs/index-scan.ts). A tail names a position in time, so a cursor stays valid as entries are added.
 */
const TAIL = /^[0-9A-Za-z_.~-]{1,120}$/

export const encodeCursor = (tail: string) => Buffer.from(JSON.stringify({ v: 1, after: tail })).toString('base64url')

/**
 * The tail a cursor resumes after.
 * @throws ApiError validation_failed (path `["query","cursor"]`, code `invalid_cursor`) for anything this did not make.
 */
export function decodeCursor(cursor: string): string {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { v?: unknown; after?: unknown }
    if (value.v === 1 && typeof value.after === 'string' && TAIL.test(value.after)) return value.after
  } catch {}
  throw new ApiError('validation_failed', 'the cursor is not one this API returned', [
    { path: ['query', 'cursor'], code: 'invalid_cursor', message: 'pass the nextCursor of a previous page unchanged' },
  ])
}

/** A page of a list API: its items, and the cursor of the next page (null on the last). */
export interface Page<T> {
  data: T[]
  nextCursor: string | null
}
