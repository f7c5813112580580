import type { ApiKeyConfig } from '../config/schema.js'
import type { Deps } from '../deps.js'
import { getBookkeepingJson, getJson } from '../store/json.js'
import { messageIndexKeys, messageKeys } from '../store/keys.js'
import { statusAfterBounces, type MessageState, type MessageStatus } from '../send/records.js'
import { hasScope } from '../scopes.js'
import { decodeCursor, encodeCursor, type Page } from './cursor.js'
import { invertId, invertedIdTime, startAtUntil, timeOfInvertedId } from './index-order.js'
import { scanIndex } from './index-scan.js'
import type { MessageSummary } from './message-index.js'

/** Filters of `GET /v1/messages`; every one given must match. Addresses and tags compare case-insensitively. */
export interface MessageFilters {
  /** Any of these statuses. */
  status?: MessageStatus[]
  /** An envelope recipient (to, cc or bcc). */
  to?: string
  from?: string
  tag?: string
  /** Accepted at or after (ms since the epoch). */
  sinceMs?: number
  /** Accepted at or before (ms since the epoch). */
  untilMs?: number
}

/** One message in a list: its summary and its current state. Times ISO 8601. */
export type MessageListItem = Omit<MessageSummary, 'apiKeyId'> & {
  status: MessageStatus
  /** Why it failed or was canceled (lib/events/outbound-events.ts reason), or null. */
  reason: string | null
  updatedAt: string
  /** While scheduled, queued or deferred. */
  nextAttemptAt: string | null
  attempts: number
}

/** Page size: at most 100 (the default 50). */
export interface PageRequest {
  limit: number
  cursor?: string
}

const lower = (s: string) => s.toLowerCase()

/**
 * Lists messages newest first (by acceptance time, then id). A key without the `read` scope sees its own only.
 * Reads one index, the most selective the filters name (recipient, sender, tag, status, API key, else all), and
 * for each entry its summary and state (2 reads; 3 for a message not attempted yet), so a page costs O(limit)
 * reads plus entries left stale by a crash.
 * @throws ApiError validation_failed for a cursor this did not return; whatever the store throws.
 */
export async function listMessages(deps: Pick<Deps, 'store'>, key: ApiKeyConfig, filters: MessageFilters, page: PageRequest): Promise<Page<MessageListItem>> {
  const ownOnly = hasScope(key, 'read') ? null : key.id
  const statuses = filters.status?.length ? new Set(filters.status) : null
  const prefixes = filters.to
    ? [messageIndexKeys.to(filters.to)]
    : filters.from
      ? [messageIndexKeys.from(filters.from)]
      : filters.tag
        ? [messageIndexKeys.tag(filters.tag)]
        : statuses
          ? [...statuses].map(messageIndexKeys.status)
          : [ownOnly ? messageIndexKeys.apiKey(ownOnly) : messageIndexKeys.all]
  const matches = (s: MessageSummary, item: MessageListItem) =>
    (!ownOnly || s.apiKeyId === ownOnly) &&
    (!statuses || statuses.has(item.status)) &&
    (!filters.to || [...s.to, ...s.cc, ...s.bcc].some((a) => lower(a) === lower(filters.to!))) &&
    (!filters.from || lower(s.from) === lower(filters.from)) &&
    (!filters.tag || s.tags.some((t) => lower(t) === lower(filters.tag!)))
  const res = await scanIndex(deps.store, {
    prefixes,
    startAfterTail: page.cursor ? decodeCursor(page.cursor) : startAtUntil('', filters.untilMs, invertedIdTime),
    timeOf: timeOfInvertedId,
    sinceMs: filters.sinceMs,
    limit: page.limit,
    maxScanned: Math.max(1000, page.limit * 10),
    async verify(tail) {
      const item = await readListItem(deps, invertId(tail))
      return item && matches(item.summary, item.item) ? item.item : null
    },
  })
  return { data: res.items, nextCursor: res.nextTail === null ? null : encodeCursor(res.nextTail) }
}

/** A message's list item from its `all` entry and state; null when the entry or the message is missing. */
export async function readListItem(deps: Pick<Deps, 'store'>, id: string): Promise<{ summary: MessageSummary; item: MessageListItem } | null> {
  const [summary, state] = await Promise.all([
    getJson<MessageSummary>(deps.store, messageIndexKeys.entry(messageIndexKeys.all, invertId(id))),
    getBookkeepingJson<MessageState>(deps.store, messageKeys(id).state),
  ])
  if (!summary) return null
  const s = summary.value
  const st = state?.value
  // No state yet: the message was accepted and not attempted, if its request was stored at all.
  if (!st && !(await deps.store.list(messageKeys(id).request, { limit: 1 })).length) return null
  const scheduled = s.sendAt !== null && s.sendAt > s.createdAt
  const item: MessageListItem = {
    id: s.id,
    messageId: s.messageId,
    status: st ? statusAfterBounces(st) : scheduled ? 'scheduled' : 'queued',
    reason: st?.reason ?? null,
    createdAt: st?.createdAt ?? s.createdAt,
    updatedAt: st?.updatedAt ?? s.createdAt,
    sendAt: s.sendAt,
    nextAttemptAt: st ? st.nextAttemptAt : scheduled ? s.sendAt : s.createdAt,
    attempts: st?.attempts ?? 0,
    from: s.from,
    to: s.to,
    cc: s.cc,
    bcc: s.bcc,
    subject: s.subject,
    tags: s.tags,
  }
  return { summary: s, item }
}
