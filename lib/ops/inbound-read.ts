import type { Deps } from '../deps.js'
import type { InboundMessage } from '../normalize/inbound-message.js'
import { getJson } from '../store/json.js'
import { inboundMessageKeys } from '../store/keys.js'

/** An inbound id as lib/inbound/message-id.ts makes it: `m` + 32 lower-case hex digits. */
const INBOUND_ID = /^m[0-9a-f]{32}$/

/**
 * A stored inbound message's document, when `mailbox` is a configured mailbox and the message is fully stored
 * (its `stored.json` marker is there, docs/storage.md "Inbound"); `null` otherwise. Two reads.
 */
export async function readInbound(deps: Pick<Deps, 'config' | 'store'>, mailbox: string, id: string): Promise<InboundMessage | null> {
  if (!INBOUND_ID.test(id) || !deps.config.mailboxes.some((m) => m.id === mailbox)) return null
  const keys = inboundMessageKeys(mailbox, id)
  const [marker, doc] = await Promise.all([deps.store.get(keys.stored), getJson<InboundMessage>(deps.store, keys.doc)])
  return marker && doc ? doc.value : null
}
