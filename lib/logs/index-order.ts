import { decodeTime, encodeTime } from 'ulidx'

/**
 * Newest-first order in index keys. Stores list keys in ascending byte order (ObjectStore.list), so an index entry
 * starts with its time inverted: the latest entry sorts first, and a time range is one `startAfter` plus a stop.
 */

/** Crockford base32, the ULID alphabet, in ascending byte order. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const INVERSE = new Map([...ALPHABET].map((c, i) => [c, ALPHABET[31 - i]]))

/** A ULID with each character replaced by its mirror in the alphabet: later ids sort first. Self-inverse. */
export const invertId = (id: string) => [...id].map((c) => INVERSE.get(c) ?? c).join('')

/** The time (ms) of an inverted ULID; NaN when it is not one. */
export function timeOfInvertedId(inverted: string): number {
  try {
    return decodeTime(invertId(inverted))
  } catch {
    return NaN
  }
}

/** The 10 leading characters of inverted ULIDs of time `ms`: every id of that ms starts with them. */
export const invertedIdTime = (ms: number) => invertId(encodeTime(ms, 10))

/** The largest ms an inverted stamp can hold: 9999999999999 is in the year 2286. */
const MAX_MS = 9_999_999_999_999

/** `ms` inverted as 13 digits: later times sort first. */
export const invertStamp = (ms: number) => String(MAX_MS - ms).padStart(13, '0')

/** The ms of a 13-digit inverted stamp. */
export const stampTime = (inverted: string) => MAX_MS - Number(inverted)

/**
 * The `startAfter` that begins a newest-first listing of `prefix` at entries no later than `untilMs` (inclusive):
 * just below the first entry of `untilMs`, i.e. above every entry of `untilMs + 1` (`~` sorts above digits, letters
 * and `_`). `undefined` without a bound.
 */
export const startAtUntil = (prefix: string, untilMs: number | undefined, invert: (ms: number) => string) =>
  untilMs === undefined ? undefined : `${prefix}${invert(untilMs + 1)}~`
