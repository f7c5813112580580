import type { Deps } from '../deps.js'
import type { InboundMessage } from '../normalize/inbound-message.js'
import { getBookkeepingJson, getJson } from '../store/json.js'
import { messageIndexKeys, messageKeys } from '../store/keys.js'
import { initialState, type AcceptedRequest, type MessageState } from '../send/records.js'
import { indexInboundMessage } from './inbound-index.js'
import { invertId } from './index-order.js'
import { indexAcceptedMessage } from './message-index.js'

/** What rebuildIndexes indexed. */
export interface RebuildSummary {
  messages: number
  inbound: number
}

/**
 * Writes the list index entries of every stored message and every fully stored received message (data written
 * before the indexes existed, or restored from a backup without them). Safe to run again and while the gateway
 * runs: entries are keyed by the records, so a repeat rewrites the same ones, and readers verify each against its
 * record. Reads every record once: O(data), for an upgrade, not for a request. `onProgress` is told the counts so far.
 * @throws whatever the store throws.
 */
export async function rebuildIndexes(deps: Pick<Deps, 'store'>, onProgress: (s: RebuildSummary) => void = () => {}): Promise<RebuildSummary> {
  const done: RebuildSummary = { messages: 0, inbound: 0 }
  for await (const key of keysEnding(deps, 'messages/', '/request.json')) {
    const record = (await getJson<AcceptedRequest>(deps.store, key))?.value
    if (!record) continue
    await indexAcceptedMessage(deps.store, record)
    const state = (await getBookkeepingJson<MessageState>(deps.store, messageKeys(record.id).state))?.value
    const initial = initialState(record).status
    if (state && state.status !== initial) {
      const tail = invertId(record.id)
      await deps.store.put(messageIndexKeys.entry(messageIndexKeys.status(state.status), tail), '')
      await deps.store.delete(messageIndexKeys.entry(messageIndexKeys.status(initial), tail))
    }
    if (++done.messages % 1000 === 0) onProgress(done)
  }
  for await (const key of keysEnding(deps, 'inbound/', '/stored.json')) {
    const doc = (await getJson<InboundMessage>(deps.store, key.replace(/stored\.json$/, 'message.json')))?.value
    if (!doc) continue // a copy recognised after a UIDVALIDITY reset: its document is the original's
    await indexInboundMessage(deps.store, doc)
    if (++done.inbound % 1000 === 0) onProgress(done)
  }
  onProgress(done)
  return done
}

/** Keys under `prefix` ending with `suffix`, a page of 1,000 at a time. */
async function* keysEnding(deps: Pick<Deps, 'store'>, prefix: string, suffix: string): AsyncGenerator<string> {
  let startAfter: string | undefined
  for (;;) {
    const keys = await deps.store.list(prefix, { startAfter, limit: 1000 })
    for (const k of keys) if (k.endsWith(suffix)) yield k
    if (keys.length < 1000) return
    startAfter = keys[keys.length - 1]
  }
}
