import type { Deps } from '../deps.js'
import { getJson } from '../store/json.js'
import { inboundIndexKeys, inboundMessageKeys } from '../store/keys.js'
import { decodeCursor, encodeCursor, type Page } from './cursor.js'
import { invertStamp, startAtUntil, stampTime } from './index-order.js'
import { scanIndex } from './index-scan.js'
import { parseInboundTail, type InboundSummary } from './inbound-index.js'
import type { PageRequest } from './list-messages.js'

/** Filters of `GET /v1/inbound`; every one given must match. Addresses compare case-insensitively. */
export interface InboundFilters {
  mailbox?: string
  /** A From or Sender address. */
  from?: string
  /** A To or Cc address. */
  to?: string
  /** A substring of the Subject, case-insensitive. No index serves it: see listInbound. */
  subject?: string
  /** Received at or after (ms since the epoch). */
  sinceMs?: number
  /** Received at or before (ms since the epoch). */
  untilMs?: number
}

/** Entries looked at per call when a filter no index serves (subject) leaves a page short. */
export const SUBJECT_SCAN = 500

const lower = (s: string) => s.toLowerCase()

/**
 * Lists received messages newest first (by `receivedAt`). Reads one index, the most selective the filters name
 * (From, To, mailbox, else all), and for each entry its summary and stored marker (2 reads), so a page costs
 * O(limit) reads. A `subject` filter looks at up to SUBJECT_SCAN entries per call: a page may then come back short
 * (even empty) with a `nextCursor` to continue from.
 * @throws ApiError validation_failed for a cursor this did not return; whatever the store throws.
 */
export async function listInbound(deps: Pick<Deps, 'store'>, filters: InboundFilters, page: PageRequest): Promise<Page<InboundSummary>> {
  const prefix = filters.from
    ? inboundIndexKeys.from(filters.from)
    : filters.to
      ? inboundIndexKeys.to(filters.to)
      : filters.mailbox
        ? inboundIndexKeys.mailbox(filters.mailbox)
        : inboundIndexKeys.all
  const subject = filters.subject === undefined ? null : lower(filters.subject)
  const matches = (s: InboundSummary) =>
    (!filters.mailbox || s.mailbox === filters.mailbox) &&
    (!filters.from || s.from.some((a) => lower(a) === lower(filters.from!)) || prefix === inboundIndexKeys.from(filters.from)) &&
    (!filters.to || [...s.to, ...s.cc].some((a) => lower(a) === lower(filters.to!))) &&
    (subject === null || lower(s.subject ?? '').includes(subject))
  const res = await scanIndex(deps.store, {
    prefixes: [prefix],
    startAfterTail: page.cursor ? decodeCursor(page.cursor) : startAtUntil('', filters.untilMs, invertStamp),
    timeOf: (tail) => stampTime(tail.slice(0, 13)),
    sinceMs: filters.sinceMs,
    limit: page.limit,
    maxScanned: subject === null ? Math.max(1000, page.limit * 10) : SUBJECT_SCAN,
    async verify(tail) {
      const s = await readInboundSummary(deps, tail)
      return s && matches(s) ? s : null
    },
  })
  return { data: res.items, nextCursor: res.nextTail === null ? null : encodeCursor(res.nextTail) }
}

/** The summary of an index entry whose message is fully stored (its marker written); else null. */
async function readInboundSummary(deps: Pick<Deps, 'store'>, tail: string): Promise<InboundSummary | null> {
  const at = parseInboundTail(tail)
  if (!at) return null
  const [summary, marker] = await Promise.all([
    getJson<InboundSummary>(deps.store, inboundIndexKeys.entry(inboundIndexKeys.all, tail)),
    deps.store.get(inboundMessageKeys(at.mailbox, at.id).stored),
  ])
  return summary && marker ? summary.value : null
}
