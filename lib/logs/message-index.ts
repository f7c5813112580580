import type { ObjectStore } from '../store/object-store.js'
import { getBookkeepingJson } from '../store/json.js'
import { messageIndexKeys, messageKeys } from '../store/keys.js'
import { FINAL_STATUSES, initialState, requestFacts, type AcceptedRequest, type MessageState, type MessageStatus } from '../send/records.js'
import type { MessageView } from '../send/message-view.js'
import { invertId } from './index-order.js'

/**
 * Outbound list indexes (docs/storage.md "## Indexes"). Written in the same effects as the records they index and
 * before them, so a crash leaves at most an entry whose record is missing or says otherwise; readers verify each
 * entry against the record (lib/logs/list-messages.ts) and skip it.
 * - at acceptance, before the create-only request: `all` (with the summary below), the initial status, each
 *   recipient, the sender, each tag and the API key;
 * - at each status change, before the state: the new status; after it, the old status entry is deleted.
 */

/** The body of an `all` entry: what a list shows of a message besides its state (fields as in GET /v1/messages/{id}). */
export type MessageSummary = Pick<MessageView, 'id' | 'messageId' | 'createdAt' | 'sendAt' | 'from' | 'to' | 'cc' | 'bcc' | 'subject' | 'tags'> & {
  apiKeyId: string
}

export function summaryOf(record: AcceptedRequest): MessageSummary {
  const r = record.request
  return {
    id: record.id,
    messageId: record.messageId,
    apiKeyId: record.apiKeyId,
    createdAt: record.createdAt,
    sendAt: r.sendAt ? new Date(Date.parse(r.sendAt)).toISOString() : null,
    ...requestFacts(r),
  }
}

/** The empty entries of an accepted message, besides `all`: its initial status, recipients, sender, tags, key. */
function entryPrefixes(record: AcceptedRequest, summary: MessageSummary): string[] {
  const recipients = new Set([...summary.to, ...summary.cc, ...summary.bcc].map((a) => a.toLowerCase()))
  return [
    messageIndexKeys.status(initialState(record).status),
    ...[...recipients].map(messageIndexKeys.to),
    messageIndexKeys.from(summary.from),
    ...[...new Set(summary.tags.map((t) => t.toLowerCase()))].map(messageIndexKeys.tag),
    messageIndexKeys.apiKey(record.apiKeyId),
  ]
}

/**
 * Writes the index entries of a message about to be stored (concurrently; durable, like the request).
 * @throws whatever the store throws; then the request must not be written.
 */
export async function indexAcceptedMessage(store: ObjectStore, record: AcceptedRequest): Promise<void> {
  const tail = invertId(record.id)
  const summary = summaryOf(record)
  await Promise.all([
    store.put(messageIndexKeys.entry(messageIndexKeys.all, tail), JSON.stringify(summary), { contentType: 'application/json' }),
    ...entryPrefixes(record, summary).map((p) => store.put(messageIndexKeys.entry(p, tail), '')),
  ])
}

/**
 * Writes a state over an older one with the status index kept in step: when the status changes, the new status
 * entry first, then `write` (the compare-and-swap of the state), then the old entry goes. Unless the new status is
 * final, the state is read again: should the message have come back to the old status meanwhile (a concurrent
 * change A→B→A, e.g. two reschedules), the entry is put back. `durable`: as the state
 * write's (PutOptions.durable). Resolves with what `write` resolves with.
 * @throws whatever the store or `write` throws (a lost compare-and-swap leaves an entry readers skip).
 */
export async function withStatusIndex<T>(store: ObjectStore, before: MessageState, next: MessageState, durable: boolean, write: () => Promise<T>) {
  if (before.status === next.status) return write()
  const tail = invertId(next.id)
  await store.put(messageIndexKeys.entry(messageIndexKeys.status(next.status), tail), '', { durable })
  const out = await write()
  const old = messageIndexKeys.entry(messageIndexKeys.status(before.status), tail)
  await store.delete(old)
  // Nothing leaves a final status for an earlier one, so only a change to a live status can race back.
  if (FINAL_STATUSES.has(next.status)) return out
  const now = (await getBookkeepingJson<MessageState>(store, messageKeys(next.id).state))?.value
  if (now?.status === before.status) await store.put(old, '', { durable })
  return out
}

/** Statuses a message can have, in the order the API documents them. */
export const MESSAGE_STATUSES: readonly MessageStatus[] = ['scheduled', 'queued', 'sent', 'deferred', 'failed', 'bounced', 'canceled']
