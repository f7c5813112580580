import { eventLogKeys } from '../store/keys.js'
import type { ObjectStore } from '../store/object-store.js'
import type { EventLogLine } from './event-log-line.js'

/**
 * Where a reader of the event log stands: after line `n` of segment `k` (`n` null: after the whole segment; `k` ''
 * before the first). Opaque to clients (base64url JSON).
 */
export interface LogPosition {
  k: string
  n: number | null
}

export const encodeLogCursor = (p: LogPosition) => Buffer.from(JSON.stringify(p)).toString('base64url')

/** The position of a cursor from encodeLogCursor; null for anything else. */
export function decodeLogCursor(cursor: string): LogPosition | null {
  try {
    const p = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as LogPosition
    const okKey = typeof p.k === 'string' && (p.k === '' || (p.k.startsWith(eventLogKeys.prefix) && p.k.length <= 1024))
    const okLine = p.n === null || (Number.isInteger(p.n) && p.n >= 0)
    return p && okKey && okLine ? { k: p.k, n: p.n } : null
  } catch {
    return null
  }
}

export interface LogPageQuery {
  /** Lines at or after this time (ms since the epoch). */
  sinceMs?: number
  /** Only lines of these types. */
  types?: ReadonlySet<string>
  /** At most this many lines (1 to 100). */
  limit: number
  /** Resume here (from a previous page's cursor). */
  after?: LogPosition
}

export interface LogPage {
  data: EventLogLine[]
  /** Where the next page starts; present even when nothing was found, so a follower polls from here. */
  cursor: LogPosition
  /** The page stopped at `limit` or at its read budget: ask again at once. False: caught up with what is written. */
  hasMore: boolean
}

/** Segments read for one page at most: a filter that matches little costs bounded work per request. */
const MAX_SEGMENTS = 20
/** Keys asked for per list call. */
const LIST_BATCH = 100

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10)

/**
 * A page of the event log, in log order: segment by segment in key order (date partition, then flush time, then
 * writer), lines in the order they were written. With one writer that is time order; with several (Lambda), a
 * segment flushed late under an earlier name may be passed by a follower already beyond it (docs/logs.md).
 * Costs one list call per 100 segments and one read per segment with lines on the page: O(page), not O(log).
 * `sinceMs` without a cursor starts at the first segment flushed at or after it (none before can hold a later line).
 * @throws what the store throws.
 */
export async function readLogPage(store: ObjectStore, q: LogPageQuery): Promise<LogPage> {
  const data: EventLogLine[] = []
  let pos: LogPosition = q.after ?? { k: q.sinceMs !== undefined ? eventLogKeys.flushedAt(dayOf(q.sinceMs), q.sinceMs) : '', n: null }
  let reads = 0
  const keep = (l: EventLogLine) => (q.sinceMs === undefined || Date.parse(l.time) >= q.sinceMs) && (!q.types || q.types.has(l.type))

  /** Takes lines of one segment from `skip` on; false when the page is full (pos is then inside or at its end). */
  async function take(key: string, skip: number): Promise<boolean> {
    reads++
    const body = (await store.get(key))?.body.toString('utf8') ?? ''
    const lines = body.split('\n').filter((l) => l !== '')
    for (let i = skip; i < lines.length; i++) {
      if (data.length === q.limit) {
        pos = { k: key, n: i }
        return false
      }
      const line = JSON.parse(lines[i]) as EventLogLine
      if (keep(line)) data.push(line)
    }
    pos = { k: key, n: null }
    return true
  }

  if (pos.n !== null && !(await take(pos.k, pos.n))) return { data, cursor: pos, hasMore: true }
  for (;;) {
    const keys = await store.list(eventLogKeys.prefix, { startAfter: pos.k || undefined, limit: LIST_BATCH })
    for (const key of keys) {
      if (!eventLogKeys.parse(key)) {
        pos = { k: key, n: null }
        continue
      }
      if (data.length === q.limit || reads >= MAX_SEGMENTS || !(await take(key, 0))) return { data, cursor: pos, hasMore: true }
    }
    if (keys.length < LIST_BATCH) return { data, cursor: pos, hasMore: false }
  }
}
