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
