import type { ObjectStore, PutOptions } from './object-store.js'

/** Reads and parses a JSON object; `null` when absent. Returns the ETag for a later compare-and-swap. */
export async function getJson<T>(store: ObjectStore, key: string): Promise<{ value: T; etag: string } | null> {
  const obj = await store.get(key)
  if (!obj) return null
  return { value: JSON.parse(obj.body.toString('utf8')) as T, etag: obj.etag }
}

/** Serialises `value` as pretty JSON (people browse the fs layout) and writes it with the given conditions. */
export function putJson(store: ObjectStore, key: string, value: unknown, options: PutOptions = {}) {
  return store.put(key, JSON.stringify(value, null, 2), { contentType: 'application/json', ...options })
}

/**
 * Like getJson, for bookkeeping written without fsync (PutOptions.durable false): on the `fs` driver a power
 * failure can leave such a file empty or cut short. That reads as `{ value: null, etag }`, so the caller can
 * rebuild the object and replace it by compare-and-swap instead of failing on it at every read.
 */
export async function getBookkeepingJson<T>(store: ObjectStore, key: string): Promise<{ value: T | null; etag: string } | null> {
  const obj = await store.get(key)
  if (!obj) return null
  try {
    return { value: JSON.parse(obj.body.toString('utf8')) as T, etag: obj.etag }
  } catch {
    return { value: null, etag: obj.etag }
  }
}
