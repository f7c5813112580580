import type { Deps } from '../deps.js'
import { getBookkeepingJson, getJson, putJson } from '../store/json.js'
import { messageKeys } from '../store/keys.js'
import { isPreconditionFailed } from '../store/object-store.js'
import { withStatusIndex } from '../logs/message-index.js'
import { initialState, type AcceptedRequest, type MessageState } from './records.js'

/** A message's state as read: its value and ETag (null when no state object exists yet), and its request if read. */
export interface StateSnapshot {
  value: MessageState
  etag: string | null
  record?: AcceptedRequest
}

/**
 * The message's state and its ETag; `null` when no message has that id. With no state object yet, the state of a
 * message no attempt has touched, with the request it was derived from (read once, used twice). A state object
 * cut short by a power failure (getBookkeepingJson) is rebuilt the same way, counting the attempt events already
 * written, and keeps its ETag so the next write replaces it.
 */
export async function readMessageState(deps: Pick<Deps, 'store' | 'logger'>, id: string): Promise<StateSnapshot | null> {
  const keys = messageKeys(id)
  const state = await getBookkeepingJson<MessageState>(deps.store, keys.state)
  if (state?.value) return { value: state.value, etag: state.etag }
  const record = await getJson<AcceptedRequest>(deps.store, keys.request)
  if (!record) return null
  const value = initialState(record.value)
  if (state) {
    value.attempts = (await deps.store.list(keys.events)).length
    deps.logger.warn({ id, attempts: value.attempts }, 'state.json was cut short (a power failure?); rebuilt from the request')
  }
  return { value, etag: state?.etag ?? null, record: record.value }
}

/**
 * Writes `next` over the snapshot it was made from, by compare-and-swap (create-only when there was none), with the
 * status list index kept in step (lib/logs/message-index.ts).
 */
export async function writeMessageState(deps: Pick<Deps, 'store'>, id: string, from: StateSnapshot, next: MessageState, durable = true): Promise<string> {
  const condition = from.etag === null ? { ifNoneMatch: '*' as const } : { ifMatch: from.etag }
  const write = () => putJson(deps.store, messageKeys(id).state, next, { ...condition, durable })
  return (await withStatusIndex(deps.store, from.value, next, durable, write)).etag
}

/**
 * Changes a message's state by compare-and-swap, reading it again and re-applying `change` when another writer got
 * there first (a delivery attempt, a bounce, a cancel). `change` returns the new state, or null to leave it as it
 * is. Resolves with the state before and after the write (after is null when nothing changed), or null when no
 * message has that id. Durable: the outcome of an API call or a bounce must survive a power failure.
 * @throws whatever the store or `change` throws; Error after 20 lost races in a row.
 */
export async function updateMessageState(
  deps: Pick<Deps, 'store' | 'logger'>,
  id: string,
  change: (st: MessageState) => MessageState | null,
): Promise<{ before: MessageState; after: MessageState | null } | null> {
  for (let i = 0; i < 20; i++) {
    const current = await readMessageState(deps, id)
    if (!current) return null
    const next = change(structuredClone(current.value))
    if (!next) return { before: current.value, after: null }
    try {
      await writeMessageState(deps, id, current, next)
      return { before: current.value, after: next }
    } catch (err) {
      if (!isPreconditionFailed(err)) throw err
    }
  }
  throw new Error(`message ${id}: its state kept changing under 20 attempts to update it`)
}
