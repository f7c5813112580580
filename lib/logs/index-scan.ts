import type { ObjectStore } from '../store/object-store.js'
import { compareKeys } from '../store/key-order.js'

/**
 * A newest-first read over one or more index prefixes whose entry names ("tails") share one order: outbound tails
 * are inverted ids, inbound tails inverted stamps (lib/logs/index-order.ts). Several prefixes (`status=failed,
 * bounced`) are merged by tail, so a position in one is a position in all: the cursor is the last tail returned.
 */
export interface IndexScan<T> {
  prefixes: string[]
  /** Resume after this tail (a cursor's position, or the `until` bound). */
  startAfterTail?: string
  /** The time (ms) of a tail; entries older than `sinceMs` end the scan. */
  timeOf(tail: string): number
  sinceMs?: number
  /** How many verified items to return (a page). */
  limit: number
  /** Most entries to look at in one call (a filter no index serves); the rest is for the next call. */
  maxScanned: number
  /** Reads the record an entry points at and checks it still matches: the item, or null to skip a stale entry. */
  verify(tail: string): Promise<T | null>
}

/** A page: its items, and the tail to resume after (null when the index holds nothing further). */
export interface ScanPage<T> {
  items: T[]
  nextTail: string | null
  /** Entries looked at, stale ones included. */
  scanned: number
}

/** Entries are verified this many at a time, concurrently. */
const CHUNK = 25

/**
 * Reads a page: lists entries in chunks (one `list` per prefix per chunk), verifies each chunk concurrently, and
 * stops at `limit` items, at `maxScanned` entries, at the first entry older than `sinceMs` or at the end.
 * Store reads: O(page) for an index that serves the filters, at most O(maxScanned) otherwise.
 * @throws whatever the store or `verify` throws.
 */
export async function scanIndex<T>(store: ObjectStore, scan: IndexScan<T>): Promise<ScanPage<T>> {
  const items: T[] = []
  const sources = scan.prefixes.map((prefix) => ({ prefix, buffered: [] as string[], done: false, after: scan.startAfterTail }))
  let scanned = 0
  let last: string | undefined
  for (;;) {
    const want = Math.min(CHUNK, Math.max(scan.limit - items.length, 1) + 2, scan.maxScanned - scanned)
    if (want <= 0) return { items, nextTail: last ?? scan.startAfterTail ?? null, scanned }
    const chunk = await takeMerged(store, sources, want)
    const fresh = chunk.filter((t) => scan.sinceMs === undefined || scan.timeOf(t) >= scan.sinceMs)
    const verified = await Promise.all(fresh.map((t) => scan.verify(t)))
    for (const [i, tail] of fresh.entries()) {
      scanned++
      last = tail
      const item = verified[i]
      if (item !== null) items.push(item)
      if (items.length === scan.limit) return { items, nextTail: tail, scanned }
    }
    if (fresh.length < chunk.length || chunk.length < want) return { items, nextTail: null, scanned }
  }
}

/** The next `n` tails in order across sources, each once (a message in two status indexes while it changes). */
async function takeMerged(store: ObjectStore, sources: { prefix: string; buffered: string[]; done: boolean; after?: string }[], n: number) {
  const out: string[] = []
  while (out.length < n) {
    for (const s of sources) {
      if (s.buffered.length || s.done) continue
      const keys = await store.list(s.prefix, { startAfter: s.after === undefined ? undefined : s.prefix + s.after, limit: n })
      s.buffered = keys.map((k) => k.slice(s.prefix.length))
      s.done = keys.length < n
      if (keys.length) s.after = s.buffered[s.buffered.length - 1]
    }
    const live = sources.filter((s) => s.buffered.length)
    if (!live.length) break
    const next = live.reduce((a, b) => (compareKeys(a.buffered[0], b.buffered[0]) <= 0 ? a : b)).buffered[0]
    for (const s of live) if (s.buffered[0] === next) s.buffered.shift()
    if (out[out.length - 1] !== next) out.push(next)
  }
  return out
}
