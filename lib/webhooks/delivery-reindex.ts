import type { ObjectStore } from '../store/object-store.js'
import { getJson } from '../store/json.js'
import { deliveryStatus, indexEntryOf, partitionKeys } from './delivery-index.js'
import type { DeliveryRecord } from './delivery-record.js'

/**
 * Writes the index entries (delivery-index.ts) of every delivery record under `webhooks/deliveries/`, for data
 * written before the index existed (`npx postern reindex`). Idempotent: entries are empty objects, and a
 * record's entries of another status (a stale one) are skipped by listings. Reads every record once: O(deliveries).
 * Returns how many records it indexed.
 * @throws whatever the store throws.
 */
export async function reindexDeliveries(store: ObjectStore): Promise<number> {
  let count = 0
  let after: string | undefined
  for (;;) {
    const keys = await store.list('webhooks/deliveries/', { startAfter: after, limit: 1000 })
    for (const key of keys) {
      const d = (await getJson<DeliveryRecord>(store, key))?.value
      if (!d) continue
      const e = indexEntryOf(d)
      await Promise.all([...partitionKeys(e, null), ...partitionKeys(e, deliveryStatus(d))].map((k) => store.put(k, '')))
      count++
    }
    if (keys.length < 1000) return count
    after = keys.at(-1)
  }
}
